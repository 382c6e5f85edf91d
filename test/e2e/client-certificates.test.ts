/**
 * Client certificates end to end: Debian's nginx with ssl_verify_client on and two test CAs (openssl), its auth
 * location as ingress-nginx renders it with auth-tls-pass-certificate-to-upstream, rbac-gate trusting one of the two
 * CAs, a real kube-apiserver deciding the SubjectAccessReview, a real upstream.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateFolder, issue, makeCa, type TestCertificate } from "../support/certificates.js";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { send } from "./support/http-client.js";
import {
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  type Kube,
  waitForAccess,
} from "./support/kube.js";
import { freePort } from "./support/ports.js";
import { start, stopAll, waitForHttp } from "./support/processes.js";

const TEMPLATE = fileURLToPath(new URL("./nginx/client-certificates.conf.template", import.meta.url));
const HOST = "app.example.test";

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let nginxPort: number;
let serverCa: string;
const certs: Record<"alice" | "bob" | "foreign" | "expired", TestCertificate> = Object.create(null);

/** GET https://app.example.test/ through nginx, presenting the certificate. */
function through(
  cert: TestCertificate,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: nginxPort,
        path: "/",
        headers: { Host: HOST, ...headers },
        ca: serverCa,
        cert: cert.pem,
        key: readFileSync(cert.keyFile),
      },
      (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  const root = certificateFolder();
  const teamCa = makeCa(root, "team-ca");
  const otherCa = makeCa(root, "other-ca");
  certs.alice = issue(teamCa, "alice", "/O=team-a/O=devs/CN=alice");
  certs.bob = issue(teamCa, "bob", "/O=team-b/CN=bob");
  certs.foreign = issue(otherCa, "mallory", "/O=team-a/CN=alice");
  certs.expired = issue(teamCa, "expired", "/O=team-a/CN=alice", { start: "20200101000000Z", end: "20200102000000Z" });
  const server = issue(teamCa, "server", `/CN=${HOST}`, { extensions: "server" });
  serverCa = teamCa.pem;
  const bothCas = join(root, "nginx-client-cas.crt");
  writeFileSync(bothCas, teamCa.pem + otherCa.pem);

  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  await createClusterRole(kube, "app-reader", [{ nonResourceURLs: [`/${HOST}`, `/${HOST}/*`], verbs: ["get"] }]);
  await createClusterRoleBinding(kube, "team-a-app-reader", "app-reader", [{ kind: "Group", name: "team-a" }]);
  await waitForAccess(kube, {
    user: "alice",
    groups: ["team-a"],
    nonResourceAttributes: { path: `/${HOST}/`, verb: "get" },
  });
  env = await startGateInCluster(plane, kube, `clientCertificates:\n  caFile: ${teamCa.certFile}\n`);
  await createIngress(kube, "default", "app", HOST, "app", {
    "nginx.ingress.kubernetes.io/auth-tls-secret": "default/client-ca",
    "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on",
    "nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream": "true",
    "rbac-gate.io/authenticators": "client-certificate",
  });

  const prefix = certificateFolder();
  const ready = await freePort();
  nginxPort = await freePort();
  const conf = join(prefix, "nginx.conf");
  writeFileSync(
    conf,
    readFileSync(TEMPLATE, "utf8")
      .replaceAll("{{AUTH}}", env.gate.address)
      .replaceAll("{{APP}}", `127.0.0.1:${env.upstream.port}`)
      .replaceAll("{{READY}}", String(ready))
      .replaceAll("{{PORT}}", String(nginxPort))
      .replaceAll("{{SERVER_CERT}}", server.certFile)
      .replaceAll("{{SERVER_KEY}}", server.keyFile)
      .replaceAll("{{CLIENT_CAS}}", bothCas),
  );
  const nginx = start(process.env.NGINX_BIN ?? "/usr/sbin/nginx", [
    "-p",
    `${prefix}/`,
    "-c",
    conf,
    "-e",
    join(prefix, "error.log"),
    "-g",
    "daemon off;",
  ]);
  await waitForHttp(`http://127.0.0.1:${ready}/`, nginx);
  // The Ingress is routed once alice's certificate is answered by anything but "no route".
  const end = Date.now() + 10_000;
  while ((await through(certs.alice)).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}, 180_000);

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

describe("As alice with a certificate of the team's CA, nginx verifies it and rbac-gate lets RBAC decide", () => {
  it("reaches the app, which sees alice and her organizations as groups", async () => {
    const reply = await through(certs.alice);
    expect(reply).toEqual({ status: 200, body: "Hello" });
    const seen = env.upstream.seen.at(-1);
    expect(seen?.headers["x-auth-request-user"]).toBe("alice");
    expect(seen?.headers["x-auth-request-groups"]).toBe("team-a,devs,system:authenticated");
  });

  it("the SubjectAccessReview asked about alice with her groups (the audit line)", async () => {
    await through(certs.alice);
    const line = await env.gate.waitForLog((l) => l.user === "alice" && l.decision === "allow");
    expect(line).toMatchObject({
      groups: ["team-a", "devs", "system:authenticated"],
      nonResourceAttributes: { path: `/${HOST}/`, verb: "get" },
    });
  });

  it("bob, whose certificate is good but who has no grant, gets 403", async () => {
    expect((await through(certs.bob)).status).toBe(403);
  });
});

describe("As an attacker, certificates rbac-gate does not trust get 401", () => {
  it("a certificate of another CA, which nginx accepts, is refused by rbac-gate", async () => {
    expect((await through(certs.foreign)).status).toBe(401);
    const line = await env.gate.waitForLog((l) => l.reason === "the certificate is not issued by a trusted CA");
    expect(line).toMatchObject({ status: 401, code: "bad_credentials" });
  });

  it("an expired certificate is refused by nginx itself (400), and by rbac-gate when a proxy passes it (401)", async () => {
    expect((await through(certs.expired)).status).toBe(400);
    const reply = await send(env.gate.port, `/auth?host=${HOST}`, {
      headers: {
        Host: "127.0.0.1",
        "X-Original-URL": `https://${HOST}/`,
        "X-Original-Method": "GET",
        "ssl-client-cert": encodeURIComponent(certs.expired.pem),
      },
    });
    expect(reply.status).toBe(401);
  });

  it("a client's own ssl-client-cert header does not replace the certificate nginx verified", async () => {
    const forged = { "ssl-client-cert": encodeURIComponent(certs.alice.pem) };
    expect((await through(certs.bob, forged)).status).toBe(403);
  });
});
