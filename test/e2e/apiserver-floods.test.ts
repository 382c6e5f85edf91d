/**
 * A flood of invalid bearer tokens through nginx, on the real apiserver, with the default rate limit (50/s, burst
 * 100) and per-address bound (100). Every invalid token is a new TokenReview; the flood comes from 127.0.0.2 and the
 * users from 127.0.0.3 (nginx reports each source address as X-Real-IP).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { type Flood, percentile, randomToken, startFlood, timedGet } from "./support/flood.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
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

const FLOODER = "127.0.0.2";
const USER = "127.0.0.3";
const HOST = "flood.example.test";

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;

const asUser = (token: string) =>
  timedGet(env.nginx.plainPort, { Host: HOST, Authorization: `Bearer ${token}` }, { localAddress: USER });

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  env = await startGateInCluster(plane, kube, "", { LOG_LEVEL: "warn" }, { workerConnections: 8192 });
  await createIngress(kube, "default", "flood-app", HOST, "flood-app");
  await createServiceAccount(kube, "default", "user");
  await createClusterRole(kube, "flood-reader", [{ nonResourceURLs: [`/${HOST}/*`], verbs: ["get"] }]);
  await createClusterRoleBinding(kube, "flood-reader", "flood-reader", [
    { kind: "ServiceAccount", name: "user", namespace: "default" },
  ]);
  await waitForAccess(kube, {
    user: "system:serviceaccount:default:user",
    nonResourceAttributes: { path: `/${HOST}/`, verb: "get" },
  });
  const token = await createToken(kube, "default", "user");
  const end = Date.now() + 15_000;
  while ((await asUser(token)).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}, 180_000);

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

/** 1,500 distinct invalid bearer tokens always in flight from the flooder's address. */
const flood = (): Flood =>
  startFlood(env.nginx.plainPort, 1500, FLOODER, () => ({ Host: HOST, Authorization: `Bearer ${randomToken()}` }));

describe("As a user while another address floods rbac-gate with invalid bearer tokens", () => {
  it("a flood of invalid tokens from one address does not delay a new valid token from another address past 3 s", async () => {
    const tokens = await Promise.all(Array.from({ length: 5 }, () => createToken(kube, "default", "user")));
    const f = flood();
    try {
      await new Promise((r) => setTimeout(r, 2000));
      for (const token of tokens) {
        const answer = await asUser(token);
        expect(answer.status).toBe(200);
        expect(answer.ms).toBeLessThan(3000);
      }
    } finally {
      await f.stop();
    }
    // The flooder gets 401 for each token reviewed and 500 past its address's bound; never anything else.
    expect(Object.keys(f.statuses).sort()).toEqual(["401", "500"]);
    expect(f.statuses[500]).toBeGreaterThan(0);
  }, 60_000);

  it("a cached decision never waits behind the uncached queue", async () => {
    const token = await createToken(kube, "default", "user");
    expect((await asUser(token)).status).toBe(200);
    const f = flood();
    const cached: number[] = [];
    try {
      await new Promise((r) => setTimeout(r, 2000));
      for (let i = 0; i < 20; i++) {
        const answer = await asUser(token);
        expect(answer.status).toBe(200);
        cached.push(answer.ms);
      }
    } finally {
      await f.stop();
    }
    // A turn of the rate limit alone is 20 ms, and the flooder's queue holds 100 calls (2 s): a cached answer
    // waits for neither, only for a busy CPU.
    expect(percentile(cached, 50)).toBeLessThan(500);
  }, 60_000);

  it("answers the flooder past its address's bound with 500 at once, not after the request deadline", async () => {
    const f = flood();
    try {
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await f.stop();
    }
    // Refused without waiting: far below requestTimeout (5 s).
    expect(percentile(f.latencies[500] ?? [], 50)).toBeLessThan(1000);
  }, 60_000);
});
