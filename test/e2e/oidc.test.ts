/**
 * OIDC tokens verified by rbac-gate itself, against the real thing: oidc-provider (a certified OpenID Provider)
 * issues ID tokens for two users with groups; one AuthenticationConfiguration file is given to kube-apiserver
 * (--authentication-config) and to rbac-gate (kubernetes.authenticationConfig). For every user and path, rbac-gate's
 * answer through nginx must equal what the apiserver answers the same token's SelfSubjectAccessReview (what
 * `kubectl auth can-i` sends).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { eventually, send } from "./support/http-client.js";
import {
  apiserverRequests,
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createRole,
  createRoleBinding,
  type Kube,
  waitForAccess,
} from "./support/kube.js";
import { startTestProvider, type TestProvider } from "./support/oidc-provider.js";
import { stopAll } from "./support/processes.js";

const USERS = { alice: ["dev"], bob: ["ops"] } as const;
const APP = "app.example.test"; // host-path, the default authenticators (oidc, then bearer)
const PROXY = "proxy.example.test"; // service-proxy, oidc only

let provider: TestProvider;
let stranger: TestProvider;
let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let dir: string;

const through = (host: string, path: string, token: string, method = "GET") =>
  send(env.nginx.plainPort, path, { method, headers: { Host: host, Authorization: `Bearer ${token}` } });

const VERBS: Record<string, string> = { GET: "get", POST: "create" };

/** The attributes rbac-gate asks about for this request (docs/kubernetes.md), as can-i would name them. */
function attributes(host: string, path: string, method: string) {
  const verb = VERBS[method] as string;
  return host === PROXY
    ? {
        resourceAttributes: {
          namespace: "default",
          verb,
          resource: "services",
          subresource: "proxy",
          name: "proxy-app",
        },
      }
    : { nonResourceAttributes: { path: `/${host}${path}`, verb } };
}

/** A SelfSubjectAccessReview made with the user's own token: the apiserver's answer (its status, and allowed). */
function canI(token: string, spec: object): Promise<{ status: number; allowed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${plane.server}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
      {
        method: "POST",
        ca: plane.caData,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          const body = JSON.parse(text || "{}") as { status?: { allowed?: boolean } };
          resolve({ status: res.statusCode ?? 0, allowed: body.status?.allowed === true });
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec }));
  });
}

function authenticationConfiguration(): string {
  const ca = provider.caPem
    .trim()
    .split("\n")
    .map((line) => `        ${line}`)
    .join("\n");
  return `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: ${provider.issuer}
    audiences: [rbac-gate]
    certificateAuthority: |
${ca}
  claimMappings:
    username: {claim: sub, prefix: "oidc:"}
    groups: {claim: groups, prefix: "oidc:"}
`;
}

beforeAll(async () => {
  provider = await startTestProvider(USERS, ["rbac-gate", "other-app"]);
  stranger = await startTestProvider(USERS, ["rbac-gate"]);
  dir = mkdtempSync(join(tmpdir(), "rbac-gate-oidc-e2e-"));
  const file = join(dir, "authentication-config.yaml");
  writeFileSync(file, authenticationConfiguration());
  plane = await startControlPlane({ apiserverArgs: [`--authentication-config=${file}`] });
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  env = await startGateInCluster(
    plane,
    kube,
    `  authenticationConfig: ${file}\n  cache: {denyTtl: 1s, tokenReviewFailureTtl: 1s}\n`,
  );
  await createIngress(kube, "default", "app", APP, "app");
  await createIngress(kube, "default", "proxy-app", PROXY, "proxy-app", {
    "rbac-gate.io/authorization": "service-proxy",
    "rbac-gate.io/authenticators": "oidc",
  });
  // Grants per group, and one to a user by name.
  await createClusterRole(kube, "oidc-dev", [{ nonResourceURLs: [`/${APP}/dev/*`, `/${APP}/shared`], verbs: ["get"] }]);
  await createClusterRole(kube, "oidc-ops", [
    { nonResourceURLs: [`/${APP}/ops/*`, `/${APP}/shared`], verbs: ["get"] },
    { nonResourceURLs: [`/${APP}/dev/*`], verbs: ["create"] },
  ]);
  await createClusterRoleBinding(kube, "oidc-dev", "oidc-dev", [{ kind: "Group", name: "oidc:dev" }]);
  await createClusterRoleBinding(kube, "oidc-ops", "oidc-ops", [{ kind: "Group", name: "oidc:ops" }]);
  await createRole(kube, "default", "proxy-app", [
    { apiGroups: [""], resources: ["services/proxy"], resourceNames: ["proxy-app"], verbs: ["get"] },
  ]);
  await createRoleBinding(kube, "default", "proxy-app-alice", { kind: "Role", name: "proxy-app" }, [
    { kind: "User", name: "oidc:alice" },
  ]);
  await waitForAccess(kube, {
    user: "oidc:alice",
    resourceAttributes: attributes(PROXY, "/", "GET").resourceAttributes,
  });
  await waitForAccess(kube, {
    user: "x",
    groups: ["oidc:ops"],
    nonResourceAttributes: { path: `/${APP}/ops/a`, verb: "get" },
  });
  // The apiserver fetches the issuer's discovery document and keys in the background: ready once it knows alice.
  const token = await provider.idToken("alice");
  const end = Date.now() + 30_000;
  while ((await canI(token, attributes(APP, "/", "GET"))).status !== 201) {
    if (Date.now() > end) throw new Error("the apiserver did not come to accept the provider's tokens");
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const host of [APP, PROXY])
    await eventually(() => send(env.nginx.plainPort, "/", { headers: { Host: host } }), 401);
}, 180_000);

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
  await provider?.stop();
  await stranger?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("As alice (group dev) and bob (group ops), signed in at the company's OpenID Provider", () => {
  it("each request through nginx gets the answer kubectl auth can-i gives for the same token", async () => {
    const paths = ["/dev/report", "/ops/console", "/shared", "/elsewhere"];
    const cases = [
      ...paths.flatMap((path) => [
        [APP, path, "GET"],
        [APP, path, "POST"],
      ]),
      [PROXY, "/", "GET"],
      [PROXY, "/x", "POST"],
    ] as const;
    const expected: string[] = [];
    const actual: string[] = [];
    for (const user of Object.keys(USERS)) {
      const token = await provider.idToken(user);
      for (const [host, path, method] of cases) {
        const oracle = await canI(token, attributes(host, path, method));
        expect(oracle.status).toBe(201);
        const reply = await through(host, path, token, method);
        expected.push(`${user} ${method} ${host}${path} ${oracle.allowed ? 200 : 403}`);
        actual.push(`${user} ${method} ${host}${path} ${reply.status}`);
      }
    }
    expect(actual).toEqual(expected);
    // The matrix means something: both answers occur for both users.
    for (const user of Object.keys(USERS)) {
      expect(expected.filter((l) => l.startsWith(user) && l.endsWith(" 200")).length).toBeGreaterThan(0);
      expect(expected.filter((l) => l.startsWith(user) && l.endsWith(" 403")).length).toBeGreaterThan(0);
    }
  });

  it("hands the mapped identity to the app, and verifies the token without a TokenReview", async () => {
    const token = await provider.idToken("alice");
    const reviews = await apiserverRequests(kube, "tokenreviews");
    env.upstream.seen.length = 0;
    expect((await through(APP, "/dev/report", token)).status).toBe(200);
    expect(env.upstream.seen.at(-1)?.headers["x-auth-request-user"]).toBe("oidc:alice");
    expect(env.upstream.seen.at(-1)?.headers["x-auth-request-groups"]).toBe("oidc:dev,system:authenticated");
    expect(await apiserverRequests(kube, "tokenreviews")).toBe(reviews);
  });
});

describe("As an attacker with tokens the apiserver refuses", () => {
  const refused = async (name: string, token: string) => {
    expect((await canI(token, attributes(APP, "/dev/report", "GET"))).status, `apiserver, ${name}`).toBe(401);
    for (const host of [APP, PROXY]) {
      const reply = await through(host, host === APP ? "/dev/report" : "/", token);
      expect(reply.status, `${name} at ${host}`).toBe(401);
      expect(reply.headers["www-authenticate"]).toContain('error="invalid_token"');
    }
  };

  it("an expired token is a 401", async () => {
    await refused("expired", await provider.idToken("alice", { expiresAt: Math.floor(Date.now() / 1000) - 30 }));
  });

  it("a token for another audience is a 401", async () => {
    await refused("wrong audience", await provider.idToken("alice", { clientId: "other-app" }));
  });

  it("a token of another issuer is a 401, and so is one claiming the issuer but signed by another key", async () => {
    await refused("wrong issuer", await stranger.idToken("alice"));
    const { privateKey } = await import("node:crypto").then((c) =>
      c.generateKeyPairSync("rsa", { modulusLength: 2048 }),
    );
    const forged = await new SignJWT({ groups: ["dev"] })
      .setProtectedHeader({ alg: "RS256", kid: decodeProtectedHeader(await provider.idToken("alice")).kid as string })
      .setIssuer(provider.issuer)
      .setAudience("rbac-gate")
      .setSubject("alice")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(privateKey);
    await refused("forged signature", forged);
  });

  it('an unsigned token (alg "none") is a 401', async () => {
    const [, payload] = (await provider.idToken("alice")).split(".");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    await refused("alg none", `${header}.${payload}.`);
  });
});

describe("As the provider's operator rotating its signing key", () => {
  it("a token signed by the new key is accepted without restarting rbac-gate", async () => {
    const pid = env.gate.process.child.pid;
    expect((await through(PROXY, "/", await provider.idToken("alice"))).status).toBe(200);
    const kid = provider.rotate();
    const token = await provider.idToken("alice");
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    // An unknown key id makes rbac-gate fetch the keys again, at most once per 10 s.
    const reply = await eventually(() => through(PROXY, "/", token), 200, 25_000);
    expect(reply.status).toBe(200);
    expect(env.gate.process.child.pid).toBe(pid);
    expect(env.gate.process.child.exitCode).toBeNull();
  }, 40_000);
});
