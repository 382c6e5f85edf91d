import { beforeAll, describe, expect, it } from "vitest";
import { readEscapedPem, readTraefikPem, readXfcc } from "../../src/request/client-certificate.js";
import { DIALECTS } from "../../src/request/dialects/table.js";
import { certificateFolder, issue, makeCa } from "../support/certificates.js";

let pem = "";
beforeAll(() => {
  pem = issue(makeCa(certificateFolder(), "test-ca"), "alice", "/O=team-a/CN=alice").pem;
});
const body = () => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\n/g, "");
const headers = (values: Record<string, string>) => (name: string) => values[name];
const dialect = (name: string) =>
  DIALECTS.find((d) => d.name === name)?.clientCertificate ?? (() => ({ kind: "none" }));

describe("As a platform admin, the certificate my proxy verified reaches rbac-gate in that proxy's own header", () => {
  it("reads ingress-nginx's ssl-client-cert ($ssl_client_escaped_cert, URL-encoded PEM)", () => {
    const read = dialect("ingress-nginx")(headers({ "ssl-client-cert": encodeURIComponent(pem) }));
    expect(read).toEqual({ kind: "client-certificate", chain: [pem] });
  });

  it("reads Envoy's x-forwarded-client-cert Cert element", () => {
    const xfcc = `Hash=abc;Cert="${encodeURIComponent(pem)}";Subject="CN=alice,O=team-a";URI=`;
    expect(dialect("envoy")(headers({ "x-forwarded-client-cert": xfcc }))).toEqual({
      kind: "client-certificate",
      chain: [pem],
    });
  });

  it("reads Traefik's X-Forwarded-Tls-Client-Cert (base64 DER, chain joined by commas, leaf first)", () => {
    const read = readTraefikPem(`${body()},${body()}`);
    expect(read).toEqual({ kind: "client-certificate", chain: [pem, pem] });
  });

  it("sees no certificate when the header is absent or empty (nginx sends none without a client certificate)", () => {
    expect(readEscapedPem(undefined, "ssl-client-cert")).toEqual({ kind: "none" });
    expect(readEscapedPem("", "ssl-client-cert")).toEqual({ kind: "none" });
    expect(readXfcc("By=spiffe://x;Hash=abc")).toEqual({ kind: "none" });
  });

  it("refuses an XFCC header with several elements, which only a proxy forwarding earlier hops' values sends", () => {
    const one = `Cert="${encodeURIComponent(pem)}"`;
    expect(readXfcc(`${one},${one}`).kind).toBe("malformed");
  });

  it("refuses a header that is not a certificate: text around it, a private key, broken encoding, too long", () => {
    expect(readEscapedPem(encodeURIComponent(`junk${pem}`), "h").kind).toBe("malformed");
    expect(
      readEscapedPem(encodeURIComponent("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "h").kind,
    ).toBe("malformed");
    expect(readEscapedPem("%E0%A4%A", "h").kind).toBe("malformed");
    expect(readEscapedPem("a".repeat(40_000), "h").kind).toBe("malformed");
    expect(readTraefikPem("not base64!").kind).toBe("malformed");
  });
});

describe("As a client, I cannot hand rbac-gate a certificate through a header my proxy does not set", () => {
  const forged = () => ({
    "ssl-client-cert": encodeURIComponent(pem),
    "x-forwarded-client-cert": `Cert="${encodeURIComponent(pem)}"`,
    "x-forwarded-tls-client-cert": body(),
  });
  it.each([
    ["ingress-nginx", "ssl-client-cert"],
    ["traefik", "x-forwarded-tls-client-cert"],
    ["envoy", "x-forwarded-client-cert"],
  ])("the %s dialect reads only %s", (name, own) => {
    const others = Object.fromEntries(Object.entries(forged()).filter(([h]) => h !== own));
    expect(dialect(name)(headers(others))).toEqual({ kind: "none" });
    expect(dialect(name)(headers(forged())).kind).toBe("client-certificate");
  });
});
