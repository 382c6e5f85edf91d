/**
 * rbac-gate deciding with the cluster's own identities and RBAC: a real kube-apiserver and etcd, rbac-gate as a
 * real process with its own ServiceAccount, Debian's nginx in front as ingress-nginx renders auth-url, and a real
 * upstream. Written as the stories of the people who meet it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { basic, eventually, send } from "./support/http-client.js";
import {
  apiserverRequests,
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createNamespaceNamed,
  createServiceAccount,
  createToken,
  grantHelloAppProxy,
  HELLO_APP_PROXY_QUESTION,
  type Kube,
  kubeconfigForToken,
  putSecret,
  waitForAccess,
} from "./support/kube.js";
import { start, stopAll } from "./support/processes.js";
import { MAIN } from "./support/rbac-gate.js";

// Made with: htpasswd -nbB -C 5 alice alice-pw ; htpasswd -nbB -C 5 alice alice-new-pw
const ALICE_OLD = "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n";
const ALICE_NEW = "alice:$2y$05$pcm.yuTrea9s9RdCv0NTBee7vaqOcE2rCPz2RY3EFWXoxdppQ8YiK\n";

/** Every credential this suite uses: the audit test checks none of them reached a log line. */
const secrets: string[] = ["alice-pw", "alice-new-pw", "garbage.token.value"];
const mint = async (...args: Parameters<typeof createToken>) => {
  const token = await createToken(...args);
  secrets.push(token);
  return token;
};

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;

const through = (host: string, path: string, headers: Record<string, string> = {}, method = "GET") =>
  send(env.nginx.plainPort, path, { method, headers: { Host: host, ...headers } });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  env = await startGateInCluster(plane, kube, "  cache: {denyTtl: 1s, tokenReviewFailureTtl: 1s}\n");
  await createIngress(kube, "default", "hello-app", "hello.example.test", "hello-app", {
    "rbac-gate.io/authorization": "service-proxy",
  });
  await createIngress(kube, "default", "metrics-app", "metrics.example.test", "metrics-app");
  await createIngress(kube, "default", "other-app", "other.example.test", "other-app");
  await createIngress(kube, "default", "aud-app", "aud.example.test", "aud-app", {
    "rbac-gate.io/audiences": "rbac-gate",
  });
  await createNamespaceNamed(kube, "team-a");
  await createNamespaceNamed(kube, "team-b");
  await createIngress(kube, "team-a", "basic-app", "basic.example.test", "basic-app", {
    "rbac-gate.io/htpasswd-secret": "users",
  });
  await createIngress(kube, "team-b", "thief-app", "thief.example.test", "thief-app", {
    "rbac-gate.io/htpasswd-secret": "team-a/users",
  });
  await createIngress(kube, "team-b", "lookalike-app", "lookalike.example.test", "lookalike-app", {
    "rbac-gate.io/htpasswd-secret": "users",
  });
  // Routes are there once a request without credentials is challenged instead of denied for want of a route.
  for (const host of ["hello", "metrics", "other", "aud", "basic", "lookalike"]) {
    await eventually(() => through(`${host}.example.test`, "/"), 401);
  }
}, 180_000);

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

describe("As an app team following the seed's walkthrough", () => {
  it("consumer's token gets 403, then 200 and Hello once Role hello-app-proxy is bound; POST stays 403", async () => {
    await createServiceAccount(kube, "default", "consumer");
    const token = await mint(kube, "default", "consumer");
    expect((await through("hello.example.test", "/", bearer(token))).status).toBe(403);

    await grantHelloAppProxy(kube);
    env.upstream.seen.length = 0;
    const allowed = await eventually(() => through("hello.example.test", "/", bearer(token)), 200);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toBe("Hello");
    expect(env.upstream.seen.at(-1)?.headers["x-auth-request-user"]).toBe("system:serviceaccount:default:consumer");
    expect(env.upstream.seen.at(-1)?.headers["x-auth-request-groups"]).toContain("system:serviceaccounts:default");

    const post = await through("hello.example.test", "/", bearer(token), "POST");
    expect(post.status).toBe(403);
  });
});

describe("As an app team asking why (rbac-gate explain)", () => {
  const explain = (args: string[]) =>
    spawnSync(process.execPath, [MAIN, "explain", "--config", join(env.dir, "config.yaml"), ...args], {
      encoding: "utf8",
    });

  it("shows route, identity, SubjectAccessReview attributes and the apiserver's reason for an allowed request", async () => {
    const token = await mint(kube, "default", "consumer");
    const result = explain(["--url", "http://hello.example.test/", "--method", "GET", "--token", token]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("request:        GET hello.example.test /");
    expect(result.stdout).toContain(
      "route:          ingress default/hello-app (host hello.example.test, path / Prefix, service hello-app)",
    );
    expect(result.stdout).toContain("identity:       system:serviceaccount:default:consumer");
    expect(result.stdout).toContain(
      'authorization:  SubjectAccessReview resourceAttributes {"namespace":"default","verb":"get","resource":"services","subresource":"proxy","name":"hello-app"}',
    );
    expect(result.stdout).toMatch(
      /answer: +allowed \(RBAC: allowed by RoleBinding "hello-app-consumer\/default".*\) \(200\)/,
    );
    expect(result.stdout).not.toContain(token);
  });

  it("says denied, exit 4, for POST, and for a user given by name", () => {
    const post = explain([
      "--url",
      "http://hello.example.test/",
      "--method",
      "POST",
      "--user",
      "system:serviceaccount:default:consumer",
    ]);
    expect(post.status).toBe(4);
    expect(post.stdout).toContain('"verb":"create"');
    expect(post.stdout).toMatch(/answer: +denied/);
  });
});

describe("As a platform admin granting host and path with ClusterRoles", () => {
  let monitor: string;
  let nobody: string;
  beforeAll(async () => {
    await createServiceAccount(kube, "default", "monitor");
    await createServiceAccount(kube, "default", "nobody");
    monitor = await mint(kube, "default", "monitor");
    nobody = await mint(kube, "default", "nobody");
    await createClusterRole(kube, "metrics-example-reader", [
      { nonResourceURLs: ["/metrics.example.test/metrics"], verbs: ["get"] },
    ]);
    await createClusterRoleBinding(kube, "metrics-example-reader", "metrics-example-reader", [
      { kind: "ServiceAccount", name: "monitor", namespace: "default" },
    ]);
    await waitForAccess(kube, {
      user: "system:serviceaccount:default:monitor",
      nonResourceAttributes: { path: "/metrics.example.test/metrics", verb: "get" },
    });
  });

  it("grants /metrics on that host only: /metrics 200, /admin 403, the same path on another host 403", async () => {
    expect((await eventually(() => through("metrics.example.test", "/metrics", bearer(monitor)), 200)).status).toBe(
      200,
    );
    expect((await through("metrics.example.test", "/admin", bearer(monitor))).status).toBe(403);
    expect((await through("other.example.test", "/metrics", bearer(monitor))).status).toBe(403);
  });

  it("gives a token without bindings nothing through system:discovery or system:public-info-viewer", async () => {
    for (const path of ["/api/x", "/version", "/healthz", "/apis", "/openapi/v2", "/livez", "/readyz"]) {
      expect({ path, status: (await through("metrics.example.test", path, bearer(nobody))).status }).toEqual({
        path,
        status: 403,
      });
    }
  });
});

describe("As an app team with htpasswd users in a Secret", () => {
  beforeAll(async () => {
    await createClusterRole(kube, "basic-example-users", [
      { nonResourceURLs: ["/basic.example.test/*"], verbs: ["get"] },
    ]);
    await createClusterRoleBinding(kube, "basic-example-users", "basic-example-users", [
      { kind: "Group", name: "htpasswd:team-a" },
    ]);
    await waitForAccess(kube, {
      user: "htpasswd:team-a:alice",
      groups: ["htpasswd:team-a"],
      nonResourceAttributes: { path: "/basic.example.test/", verb: "get" },
    });
  });

  it("a Secret created through the API lets its user in, with a namespaced identity", async () => {
    await putSecret(kube, "team-a", "users", { auth: ALICE_OLD });
    env.upstream.seen.length = 0;
    const reply = await eventually(
      () => through("basic.example.test", "/", { Authorization: basic("alice", "alice-pw") }),
      200,
    );
    expect(reply.status).toBe(200);
    expect(env.upstream.seen.at(-1)?.headers["x-auth-request-user"]).toBe("htpasswd:team-a:alice");
  });

  it("a changed password takes effect within 5 s: the old one is refused, the new one accepted", async () => {
    await putSecret(kube, "team-a", "users", { auth: ALICE_NEW });
    const started = Date.now();
    const old = await eventually(
      () => through("basic.example.test", "/", { Authorization: basic("alice", "alice-pw") }),
      401,
      5000,
    );
    expect(old.status).toBe(401);
    const fresh = await eventually(
      () => through("basic.example.test", "/", { Authorization: basic("alice", "alice-new-pw") }),
      200,
      5000,
    );
    expect(fresh.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("another namespace's Ingress can never use these users, whatever its annotation names", async () => {
    const thief = await through("thief.example.test", "/", { Authorization: basic("alice", "alice-new-pw") });
    expect(thief.status).toBe(403);
    const lookalike = await through("lookalike.example.test", "/", { Authorization: basic("alice", "alice-new-pw") });
    expect(lookalike.status).toBe(401);
  });

  it("a deleted Secret means no users: 401", async () => {
    await kube.core.deleteNamespacedSecret({ name: "users", namespace: "team-a" });
    const reply = await eventually(
      () => through("basic.example.test", "/", { Authorization: basic("alice", "alice-new-pw") }),
      401,
      5000,
    );
    expect(reply.status).toBe(401);
  });
});

describe("As a caller with a bad or foreign token", () => {
  it("a garbage bearer token gets 401 with the RFC 6750 Bearer challenge", async () => {
    const reply = await through("other.example.test", "/", bearer("garbage.token.value"));
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe('Bearer realm="rbac-gate", error="invalid_token"');
  });

  it("a route that accepts both offers both challenges, Basic first", async () => {
    const reply = await through("basic.example.test", "/", bearer("garbage"));
    expect(reply.headers["www-authenticate"]).toBe(
      'Basic realm="rbac-gate", charset="UTF-8", Bearer realm="rbac-gate", error="invalid_token"',
    );
  });

  it("a token minted for another audience gets 401 where audiences are configured", async () => {
    await createServiceAccount(kube, "default", "aud-caller");
    const foreign = await mint(kube, "default", "aud-caller", { audiences: ["someone-else"] });
    expect((await through("aud.example.test", "/", bearer(foreign))).status).toBe(401);
    const ours = await mint(kube, "default", "aud-caller", { audiences: ["rbac-gate"] });
    // Authenticated for this audience; not granted anything, so 403 rather than 401.
    expect((await through("aud.example.test", "/", bearer(ours))).status).toBe(403);
  });
});

describe("As the apiserver under a burst", () => {
  it("200 concurrent first requests with one new token cost 1 TokenReview and 1 SubjectAccessReview", async () => {
    await createServiceAccount(kube, "default", "burst");
    const token = await mint(kube, "default", "burst");
    const before = {
      tr: await apiserverRequests(kube, "tokenreviews"),
      sar: await apiserverRequests(kube, "subjectaccessreviews"),
    };
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => through("other.example.test", "/burst", bearer(token))),
    );
    const after = {
      tr: await apiserverRequests(kube, "tokenreviews"),
      sar: await apiserverRequests(kube, "subjectaccessreviews"),
    };
    expect(replies.every((r) => r.status === 403)).toBe(true);
    expect({ tokenReviews: after.tr - before.tr, subjectAccessReviews: after.sar - before.sar }).toEqual({
      tokenReviews: 1,
      subjectAccessReviews: 1,
    });
  });
});

describe("As a security reviewer reading rbac-gate's log", () => {
  it("finds one audit line per decision with the exact SubjectAccessReview attributes and cache use", async () => {
    // The same request twice more: the second's identity and decision come from the caches. Denials are kept
    // denyTtl (1 s here), so the first may ask the apiserver again if the burst was longer ago than that.
    const token = secrets.at(-1) as string;
    const decisionLines = () => env.gate.logs().filter((l) => l.msg === "decision");
    const before = decisionLines().length;
    await through("other.example.test", "/burst", bearer(token));
    await through("other.example.test", "/burst", bearer(token));
    await env.gate.waitForLog(() => decisionLines().length >= before + 2);
    const lines = decisionLines();
    const hello = lines.find((l) => l.host === "hello.example.test" && l.decision === "allow");
    expect(hello).toMatchObject({
      dialect: "ingress-nginx",
      method: "GET",
      path: "/",
      clientAddress: "127.0.0.1",
      route: "ingress default/hello-app",
      user: HELLO_APP_PROXY_QUESTION.user,
      resourceAttributes: HELLO_APP_PROXY_QUESTION.resourceAttributes,
      status: 200,
    });
    expect(hello?.groups).toContain("system:serviceaccounts:default");
    expect(typeof hello?.requestId).toBe("string");
    const metrics = lines.find((l) => l.host === "metrics.example.test" && l.path === "/admin");
    expect(metrics).toMatchObject({
      decision: "forbidden",
      code: "denied",
      nonResourceAttributes: { path: "/metrics.example.test/admin", verb: "get" },
    });
    expect(lines.at(-1)).toMatchObject({
      host: "other.example.test",
      path: "/burst",
      cache: { identity: "hit", decision: "hit" },
    });
  });

  it("finds no token, password or Authorization value in any line of the whole run", () => {
    const output = env.gate.process.output();
    expect(output.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toContain(Buffer.from("alice:alice-pw").toString("base64"));
    expect(output.toLowerCase()).not.toContain("bearer ");
    expect(output.toLowerCase()).not.toContain("basic ");
  });
});

describe("As a platform admin who set it up wrong", () => {
  const startWith = async (kubeconfig: string, extra = "") => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-wrong-"));
    writeFileSync(join(dir, "kubeconfig"), kubeconfig);
    writeFileSync(join(dir, "config.yaml"), `kubernetes:\n  kubeconfig: kubeconfig\n  requestTimeout: 2s\n${extra}`);
    const proc = start(process.execPath, [MAIN, "--config", join(dir, "config.yaml"), "--port", "0"]);
    return { code: await proc.exited, output: proc.output() };
  };

  it("is refused at start, naming every permission its ServiceAccount lacks", async () => {
    await createServiceAccount(kube, "default", "powerless");
    const token = await mint(kube, "default", "powerless");
    const { code, output } = await startWith(kubeconfigForToken(plane.server, plane.caData, token));
    expect(code).toBe(1);
    expect(output).toBe(
      [
        "rbac-gate: the identity rbac-gate runs as may not create tokenreviews.authentication.k8s.io cluster-wide",
        "rbac-gate: the identity rbac-gate runs as may not create subjectaccessreviews.authorization.k8s.io cluster-wide",
        "rbac-gate: the identity rbac-gate runs as may not list ingresses.networking.k8s.io cluster-wide",
        "rbac-gate: the identity rbac-gate runs as may not watch ingresses.networking.k8s.io cluster-wide",
        "rbac-gate: the identity rbac-gate runs as may not list secrets cluster-wide",
        "rbac-gate: the identity rbac-gate runs as may not watch secrets cluster-wide",
        "",
      ].join("\n"),
    );
  });

  it("is refused at start with HTTPRoutes on when the Gateway API CRD is not installed, and says so", async () => {
    const token = await createToken(kube, "rbac-gate-system", "rbac-gate");
    const { code, output } = await startWith(
      kubeconfigForToken(plane.server, plane.caData, token),
      "  httpRoutes: true\n  gateways: [default/edge]\n",
    );
    expect(code).toBe(1);
    expect(output).toMatch(
      /^rbac-gate: cannot list httproutes: status 404: 404 page not found \(is the Gateway API HTTPRoute CRD installed\?\)$/m,
    );
  });

  it("is refused at start with a clear line when the apiserver cannot be reached", async () => {
    const { code, output } = await startWith(kubeconfigForToken("https://127.0.0.1:1", plane.caData, "x"));
    expect(code).toBe(1);
    expect(output).toMatch(/^rbac-gate: cannot reach the Kubernetes apiserver at https:\/\/127\.0\.0\.1:1: /);
  });
});
