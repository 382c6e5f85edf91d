/**
 * Real Caddy in front of rbac-gate's /caddy endpoint, in both versions users run (Debian's 2.6 package and the
 * current release built from its Go module), each with the Caddyfile of docs/caddy.md taken from the page: the
 * shared decision table (test/e2e/support/decision-table.ts), the same table with forged forwarding and identity
 * headers, and absolute-form request lines, against a real kube-apiserver (TokenReview, SubjectAccessReview with the
 * host-path mapping of a configured route). Answers are checked where users see them: the status and challenge
 * Caddy returns, and the identity the app behind Caddy receives.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CADDY_VERSIONS,
  type Caddy,
  type CaddyVersion,
  docsCaddyfile,
  type Echo,
  startCaddy,
  startEcho,
} from "./support/caddy.js";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { authorization, type DecisionCase, decisionTable, SPOOFED_HEADERS } from "./support/decision-table.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { type Reply, send } from "./support/http-client.js";
import {
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createServiceAccount,
  createToken,
  type Kube,
} from "./support/kube.js";
import { freePort } from "./support/ports.js";
import { stopAll } from "./support/processes.js";
import { exchangeRaw } from "./support/raw-http.js";

const APP = "app.example.com";
const PUBLIC = "public.caddy.test";
const VERSIONS = Object.keys(CADDY_VERSIONS) as CaddyVersion[];

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let admin: Echo;
let app: Echo;
const caddies = new Map<CaddyVersion, Caddy>();
const tokens: Record<string, string> = { garbage: "garbage.token.value" };

const through = (version: CaddyVersion, c: DecisionCase, extra: Record<string, string> = {}) =>
  send((caddies.get(version) as Caddy).port, c.target, {
    method: c.method,
    headers: { ...extra, Host: c.host, ...authorization(c.who, tokens) },
  });

/** What the app behind Caddy received, from its echo; undefined when the request never reached it. */
function received(reply: Reply): { backend: string; headers: Record<string, string> } | undefined {
  const backend = reply.headers["x-backend"];
  if (backend === undefined) return undefined;
  // A HEAD answer has no body: the echo's header alone says it was reached.
  return reply.body === "" ? { backend: String(backend), headers: {} } : JSON.parse(reply.body);
}

function expectAnswer(reply: Reply, c: DecisionCase) {
  expect(reply.status).toBe(c.status);
  const seen = received(reply);
  if (c.status !== 200) {
    expect(seen).toBeUndefined();
    if (c.challenge) expect(reply.headers["www-authenticate"]).toMatch(c.challenge);
    return;
  }
  expect(seen?.backend).toBe("app");
  if (c.method === "HEAD") return;
  if (c.user !== undefined) {
    expect(seen?.headers["x-auth-request-user"]).toBe(c.user);
    expect(seen?.headers["x-remote-user"]).toBe(c.user);
  }
  const groups = String(seen?.headers["x-auth-request-groups"] ?? "").split(",");
  for (const group of c.groups ?? []) expect(groups).toContain(group);
  expect(groups).not.toContain("system:masters");
}

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  const files = mkdtempSync(join(tmpdir(), "rbac-gate-caddy-users-"));
  // Made with: htpasswd -nbB -C 5 alice alice-pw (as in the other suites).
  writeFileSync(join(files, "users"), "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n");
  // Every case sends its failures from one address and alice's wrong password many times: regulation is widened.
  env = await startGateInCluster(
    plane,
    kube,
    "  cache: {denyTtl: 1s}\nregulation: {maxFailuresPerUser: 1000, maxFailuresPerAddress: 100000}\n" +
      "htpasswd:\n  files:\n" +
      `    - {name: users, path: ${join(files, "users")}, usernamePrefix: "htpasswd:default:", groups: ["htpasswd:default"]}\n` +
      "routes:\n" +
      `  - {host: ${APP}, authenticators: [basic, bearer], htpasswd: users, allow: {subjectAccessReview: host-path}}\n` +
      `  - {host: ${PUBLIC}, authenticators: [basic, bearer], htpasswd: users, allow: {authenticated: true}}\n`,
  );
  for (const sa of ["consumer", "outsider"]) {
    await createServiceAccount(kube, "default", sa);
    tokens[sa] = await createToken(kube, "default", sa);
  }
  const urls = [`/${APP}`, `/${APP}/*`];
  await createClusterRole(kube, "caddy-app-reader", [{ nonResourceURLs: urls, verbs: ["get"] }]);
  await createClusterRole(kube, "caddy-app-writer", [{ nonResourceURLs: urls, verbs: ["get", "create"] }]);
  await createClusterRoleBinding(kube, "caddy-app-reader", "caddy-app-reader", [
    { kind: "ServiceAccount", name: "consumer", namespace: "default" },
  ]);
  await createClusterRoleBinding(kube, "caddy-app-writer", "caddy-app-writer", [
    { kind: "User", name: "htpasswd:default:alice" },
  ]);
  admin = await startEcho("admin");
  app = await startEcho("app");
  for (const version of VERSIONS) {
    const port = await freePort();
    caddies.set(
      version,
      await startCaddy(version, port, docsCaddyfile(port, env.gate.address, admin.address, app.address)),
    );
  }
  // The grants are there once the consumer and alice get through (RBAC reaches the authorizer via informers).
  const end = Date.now() + 20_000;
  for (const who of [{ token: "consumer" }, { basic: "alice" }] as const) {
    const probe: DecisionCase = { name: "", who, method: "GET", host: APP, target: "/", status: 200 };
    while ((await through(VERSIONS[0] as CaddyVersion, probe)).status !== 200 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 200));
  }
}, 240_000);

afterAll(async () => {
  await Promise.all([admin?.close(), app?.close(), env?.upstream.close()]);
  await stopAll();
  await plane?.stop();
});

it("runs the two Caddy versions it says it runs", () => {
  expect(execFileSync(CADDY_VERSIONS["Caddy 2.6 (Debian)"](), ["version"], { encoding: "utf8" })).toMatch(/^2\.6\./);
  // Built with go install, the binary reports its version in its Go build information only.
  const built = execFileSync("go", ["version", "-m", CADDY_VERSIONS["Caddy 2.11 (Go module)"]()], { encoding: "utf8" });
  expect(built).toMatch(/\bmod\s+github\.com\/caddyserver\/caddy\/v2\s+v2\.11\./);
});

describe.each(VERSIONS)("the shared decision table through %s", (version) => {
  it.each(decisionTable(APP))("$name → $status", async (c) => {
    expectAnswer(await through(version, c), c);
  });
});

describe.each(VERSIONS)("client-sent forwarding and identity headers through %s", (version) => {
  const spoofed = Object.fromEntries(
    Object.entries(SPOOFED_HEADERS).map(([k, v]) => [k, v.replaceAll("public.example.test", PUBLIC)]),
  );
  it.each(decisionTable(APP))("$name: the same answer with spoofed headers", async (c) => {
    expectAnswer(await through(version, c, spoofed), c);
  });

  it("the public site the spoofed headers name is really open to an authenticated outsider", async () => {
    const reply = await through(version, {
      name: "",
      who: { token: "outsider" },
      method: "GET",
      host: PUBLIC,
      target: "/",
      status: 200,
    });
    expect(reply.status).toBe(200);
  });
});

describe.each(VERSIONS)("absolute-form request lines through %s", (version) => {
  const exchange = (target: string, host: string, token: string) =>
    exchangeRaw(
      (caddies.get(version) as Caddy).port,
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${tokens[token]}\r\nConnection: close\r\n\r\n`,
    );

  it("decides about the request line's host, the site Caddy serves, not the Host header", async () => {
    // The outsider may use the public site only: naming it in Host does not open the app.
    expect((await exchange(`http://${APP}/`, PUBLIC, "outsider")).status).toBe(403);
    const granted = await exchange(`http://${APP}/item`, PUBLIC, "consumer");
    expect(granted.status).toBe(200);
    expect(granted.body).toContain(`"host":"${APP}"`);
  });

  it("lets the outsider into the public site named on the request line, and the app sees that host", async () => {
    const reply = await exchange(`http://${PUBLIC}/`, APP, "outsider");
    expect(reply.status).toBe(200);
    expect(reply.body).toContain(`"host":"${PUBLIC}"`);
  });
});
