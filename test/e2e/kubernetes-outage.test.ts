/**
 * The apiserver goes away. rbac-gate fails closed, except that a decision the apiserver already gave for exactly
 * the same request may be repeated up to maxStale past the end of its TTL, and never past the token's own exp;
 * nothing is ever widened.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { send } from "./support/http-client.js";
import {
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createServiceAccount,
  createToken,
  type Kube,
  waitForAccess,
} from "./support/kube.js";
import { stopAll } from "./support/processes.js";
import { createShortLivedToken } from "./support/short-lived-token.js";

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let reader: string;
let stranger: string;

const through = (path: string, token: string) =>
  send(env.nginx.plainPort, path, { headers: { Host: "status.example.test", Authorization: `Bearer ${token}` } });

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  env = await startGateInCluster(
    plane,
    kube,
    "  requestTimeout: 2s\n  cache: {tokenReviewTtl: 2s, allowTtl: 2s, denyTtl: 2s, maxStale: 20s}\n",
  );
  await createIngress(kube, "default", "status-app", "status.example.test", "status-app");
  await createServiceAccount(kube, "default", "reader");
  await createServiceAccount(kube, "default", "stranger");
  await createServiceAccount(kube, "default", "keeper");
  reader = await createToken(kube, "default", "reader");
  stranger = await createToken(kube, "default", "stranger");
  await createClusterRole(kube, "status-reader", [
    { nonResourceURLs: ["/status.example.test/status"], verbs: ["get"] },
  ]);
  await createClusterRoleBinding(kube, "status-reader", "status-reader", [
    { kind: "ServiceAccount", name: "reader", namespace: "default" },
    { kind: "ServiceAccount", name: "keeper", namespace: "default" },
  ]);
  await waitForAccess(kube, {
    user: "system:serviceaccount:default:reader",
    nonResourceAttributes: { path: "/status.example.test/status", verb: "get" },
  });
  const end = Date.now() + 10_000;
  while ((await through("/status", reader)).status !== 200 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

describe("As an operator whose apiserver is down", () => {
  // Decided just before the stop: a token that expires 12 s later, and one valid for an hour of a user asked about
  // nowhere else; both new, so their answers' time is known (TTL 2 s, maxStale 20 s: the window ends 22 s after).
  let expiring: { token: string; expiresAt: number };
  let lasting: string;
  let answeredAt: number;

  it("requests decided before the stop get the same answer inside the staleness window; new ones get 500", async () => {
    expiring = await createShortLivedToken(plane, kube, "default", "reader", 12);
    lasting = await createToken(kube, "default", "keeper");
    expect((await through("/status", reader)).status).toBe(200);
    expect((await through("/status", stranger)).status).toBe(403);
    answeredAt = Date.now();
    expect((await through("/status", lasting)).status).toBe(200);
    expect((await through("/status", expiring.token)).status).toBe(200);

    await plane.processes.apiserver.stop();
    // Past every TTL (2 s): answers now come from stale entries or not at all.
    await new Promise((r) => setTimeout(r, 2500));

    expect((await through("/status", reader)).status).toBe(200);
    expect((await through("/status", stranger)).status).toBe(403);
    // The same token on a path never decided: no stale decision exists, so the answer is 500, not 200.
    expect((await through("/admin", reader)).status).toBe(500);
    // A token never reviewed: 500.
    expect((await through("/status", "never-seen-token")).status).toBe(500);

    await env.gate.waitForLog((l) => l.msg === "apiserver unreachable: serving the last decision it gave");
  }, 60_000);

  it("a stale answer is never served past the token's exp, though the staleness window is still open", async () => {
    await sleepUntil(expiring.expiresAt - 1000);
    expect((await through("/status", expiring.token)).status).toBe(200);
    await sleepUntil(expiring.expiresAt + 500);
    expect((await through("/status", expiring.token)).status).toBe(500);
    expect((await through("/status", lasting)).status).toBe(200);
  }, 30_000);

  it("an answer is repeated until TTL + maxStale after it was given, and not after", async () => {
    await sleepUntil(answeredAt + 2000 + 20_000 - 1000);
    expect((await through("/status", lasting)).status).toBe(200);
    await sleepUntil(answeredAt + 2000 + 20_000 + 1000);
    expect((await through("/status", lasting)).status).toBe(500);
  }, 30_000);
});
