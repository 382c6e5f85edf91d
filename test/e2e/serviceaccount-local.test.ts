/**
 * ServiceAccount tokens verified by rbac-gate against the apiserver's own issuer (kubernetes.serviceAccountTokens:
 * {verify: local}): a real kube-apiserver, rbac-gate as a real process, nginx in front. The apiserver's request
 * counters say which requests cost a TokenReview.
 */
import { generateKeyPairSync } from "node:crypto";
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
  createNamespace,
  createServiceAccount,
  createToken,
  type Kube,
  reviewToken,
} from "./support/kube.js";
import { stopAll } from "./support/processes.js";
import { createShortLivedToken } from "./support/short-lived-token.js";

const HOST = "salocal.example.test";
let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let namespace: string;

const through = (token: string) =>
  send(env.nginx.plainPort, "/", { headers: { Host: HOST, Authorization: `Bearer ${token}` } });
const tokenReviews = () => apiserverRequests(kube, "tokenreviews");

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  namespace = await createNamespace(kube, "sa");
  await createServiceAccount(kube, namespace, "reader");
  await createClusterRole(kube, "salocal-reader", [{ nonResourceURLs: [`/${HOST}/*`], verbs: ["get"] }]);
  await createClusterRoleBinding(kube, "salocal-reader", "salocal-reader", [
    { kind: "Group", name: `system:serviceaccounts:${namespace}` },
  ]);
  env = await startGateInCluster(plane, kube, "  serviceAccountTokens: {verify: local}\n");
  await createIngress(kube, "default", "salocal-app", HOST, "salocal-app");
  await eventually(() => send(env.nginx.plainPort, "/", { headers: { Host: HOST } }), 401);
}, 60_000);

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

describe("As a platform admin who lets rbac-gate verify ServiceAccount tokens itself", () => {
  it("a valid token is allowed as the same user and groups the apiserver's TokenReview names", async () => {
    const token = await createToken(kube, namespace, "reader");
    const reviewed = await reviewToken(kube, token);
    env.upstream.seen.length = 0;
    const before = await tokenReviews();
    expect((await eventually(() => through(token), 200)).status).toBe(200);
    // The confirmation: one TokenReview, as in tokenreview mode; the next request is answered from the cache.
    expect((await tokenReviews()) - before).toBe(1);
    expect((await through(token)).status).toBe(200);
    expect((await tokenReviews()) - before).toBe(1);
    const headers = env.upstream.seen.at(-1)?.headers ?? {};
    expect(headers["x-auth-request-user"]).toBe(reviewed.user?.username);
    expect(headers["x-auth-request-user"]).toBe(`system:serviceaccount:${namespace}:reader`);
    expect(String(headers["x-auth-request-groups"]).split(",").sort()).toEqual(
      [...(reviewed.user?.groups ?? [])].sort(),
    );
  });

  it("expired, other-audience and forged tokens are refused without a TokenReview", async () => {
    const expired = await createShortLivedToken(plane, kube, namespace, "reader", -120);
    const otherAudience = await createToken(kube, namespace, "reader", { audiences: ["someone-else"] });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = await createShortLivedToken(plane, kube, namespace, "reader", 600, privateKey);
    const before = await tokenReviews();
    for (const token of [expired.token, otherAudience, forged.token]) {
      const reply = await through(token);
      expect(reply.status).toBe(401);
      expect(reply.headers["www-authenticate"]).toContain('error="invalid_token"');
    }
    expect((await tokenReviews()) - before).toBe(0);
  });

  it("a token whose ServiceAccount was deleted is refused: the TokenReview confirming it says no", async () => {
    await createServiceAccount(kube, namespace, "leaver");
    const token = await createToken(kube, namespace, "leaver");
    await kube.core.deleteNamespacedServiceAccount({ namespace, name: "leaver" });
    // The apiserver itself no longer accepts it before rbac-gate is asked.
    for (let i = 0; i < 50 && (await reviewToken(kube, token)).authenticated; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await tokenReviews();
    const reply = await through(token);
    expect(reply.status).toBe(401);
    expect((await tokenReviews()) - before).toBe(1);
  });
});
