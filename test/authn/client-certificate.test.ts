import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Authenticator } from "../../src/authn/authenticator.js";
import {
  createClientCertificateAuthenticator,
  UNCONFIGURED_CLIENT_CERTIFICATES,
} from "../../src/authn/client-certificate.js";
import type { Route } from "../../src/routing/routes.js";
import { certificateFolder, issue, makeCa, type TestCa } from "../support/certificates.js";

const ROUTE = {} as Route;
const REQUEST = { method: "GET", host: "app.example.test", path: "/" };
let ca: TestCa;
let other: TestCa;
let authenticator: Authenticator;
const present = (pem: string, a = authenticator) =>
  a.authenticate({ kind: "client-certificate", chain: [pem] }, ROUTE, REQUEST);

beforeAll(() => {
  const root = certificateFolder();
  ca = makeCa(root, "test-ca");
  other = makeCa(root, "other-ca");
  authenticator = createClientCertificateAuthenticator({ authorities: [new X509Certificate(ca.pem)] });
});

describe("As a platform admin, only certificates of my CA bundle authenticate, mapped as the kube-apiserver maps them", () => {
  it("authenticates alice with her organizations as groups, plus system:authenticated", async () => {
    const alice = issue(ca, "alice", "/O=team-a/O=devs/CN=alice");
    expect(await present(alice.pem)).toEqual({
      kind: "authenticated",
      user: { username: "alice", groups: ["team-a", "devs", "system:authenticated"] },
    });
  });

  it("rejects a certificate of another CA, even one with the same name as mine", async () => {
    const twin = makeCa(certificateFolder(), "test-ca");
    for (const foreign of [issue(other, "mallory", "/CN=alice"), issue(twin, "mallory", "/CN=alice")]) {
      expect(await present(foreign.pem)).toEqual({
        kind: "rejected",
        reason: "the certificate is not issued by a trusted CA",
      });
    }
  });

  it("rejects an expired certificate", async () => {
    const old = issue(ca, "old", "/CN=alice", { start: "20200101000000Z", end: "20200102000000Z" });
    expect(await present(old.pem)).toEqual({ kind: "rejected", reason: "the certificate is expired" });
  });

  it("rejects a certificate that is not yet valid", async () => {
    const early = issue(ca, "early", "/CN=alice", { start: "20990101000000Z", end: "20990102000000Z" });
    expect(await present(early.pem)).toEqual({ kind: "rejected", reason: "the certificate is not yet valid" });
  });

  it("rejects any certificate once the CA itself has expired", async () => {
    const alice = issue(ca, "alice2", "/CN=alice");
    const later = createClientCertificateAuthenticator({
      authorities: [new X509Certificate(ca.pem)],
      now: () => Date.now() + 10 * 24 * 3600 * 1000,
    });
    expect(await present(alice.pem, later)).toMatchObject({ kind: "rejected" });
  });

  it("rejects a certificate without a common name", async () => {
    const nameless = issue(ca, "nameless", "/O=team-a");
    expect(await present(nameless.pem)).toEqual({
      kind: "rejected",
      reason: "the certificate's subject has no common name (CN)",
    });
  });

  it("rejects a certificate whose extended key usage is for servers only", async () => {
    const server = issue(ca, "server", "/CN=alice", { extensions: "server" });
    expect(await present(server.pem)).toEqual({
      kind: "rejected",
      reason: "the certificate's extended key usage does not allow client authentication",
    });
  });

  it("rejects what is not a certificate", async () => {
    expect(await present("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toMatchObject({
      kind: "rejected",
      reason: "the client certificate cannot be parsed",
    });
  });

  it("has no opinion on passwords and tokens", async () => {
    expect(await authenticator.authenticate({ kind: "bearer", token: "t" }, ROUTE, REQUEST)).toEqual({
      kind: "no-opinion",
    });
  });

  it("without a configured CA bundle, says why a certificate is not accepted", async () => {
    const alice = issue(ca, "alice3", "/CN=alice");
    expect(await present(alice.pem, UNCONFIGURED_CLIENT_CERTIFICATES)).toEqual({
      kind: "rejected",
      reason: "client certificates are not accepted: no CA bundle is configured (clientCertificates.caFile)",
    });
  });
});
