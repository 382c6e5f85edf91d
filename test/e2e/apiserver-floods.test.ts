/**
 * A flood of invalid bearer tokens through nginx, on the real apiserver, with the default rate limit (50/s, burst
 * 100) and per-address bound (100): bursts of 1,500 concurrent requests, each a new TokenReview, from 127.0.0.2,
 * while a user on 127.0.0.3 asks (nginx reports each source address as X-Real-IP).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import {
  byStatus,
  createFlooder,
  type Flooder,
  percentile,
  randomToken,
  type Timed,
  timedGet,
} from "./support/flood.js";
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
let flooder: Flooder;

const asUser = (token: string) =>
  timedGet(env.nginx.plainPort, { Host: HOST, Authorization: `Bearer ${token}` }, { localAddress: USER });

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  env = await startGateInCluster(plane, kube, "", { LOG_LEVEL: "warn" }, { workerConnections: 8192, backlog: 4096 });
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
  flooder = createFlooder(env.nginx.plainPort, FLOODER);
  await flood(); // opens the flooder's connections
}, 180_000);

afterAll(async () => {
  flooder?.close();
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

/** 1,500 distinct invalid bearer tokens at once from the flooder's address; resolves with their answers. */
const flood = (): Promise<Timed[]> =>
  flooder.burst(1500, () => ({ Host: HOST, Authorization: `Bearer ${randomToken()}` }));

/** Sends a flood, then `ask` 100 ms later while the flood is in flight; resolves with both. */
async function duringFlood<T>(ask: () => Promise<T>): Promise<{ answer: T; flood: Timed[] }> {
  const flooded = flood();
  await new Promise((r) => setTimeout(r, 100));
  const answer = await ask();
  return { answer, flood: await flooded };
}

describe("As a user while another address floods rbac-gate with invalid bearer tokens", () => {
  it("a flood of invalid tokens from one address does not delay a new valid token from another address past 3 s", async () => {
    const floods: Timed[] = [];
    for (let i = 0; i < 5; i++) {
      const token = await createToken(kube, "default", "user");
      const { answer, flood } = await duringFlood(() => asUser(token));
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(3000);
      floods.push(...flood);
    }
    // The flooder gets 401 for each token reviewed and 500 past its address's bound; never anything else.
    const statuses = byStatus(floods);
    expect(Object.keys(statuses).sort()).toEqual(["401", "500"]);
  }, 120_000);

  it("a cached decision never waits behind the uncached queue", async () => {
    const token = await createToken(kube, "default", "user");
    expect((await asUser(token)).status).toBe(200);
    const cached: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { answer } = await duringFlood(() => asUser(token));
      expect(answer.status).toBe(200);
      cached.push(answer.ms);
    }
    // The flooder's queue holds 100 calls, 2 s at 50/s: a cached answer never waits for it, only for a busy CPU.
    expect(percentile(cached, 50)).toBeLessThan(1000);
  }, 120_000);

  it("answers the flooder past its address's bound with 500 at once, not after the request deadline", async () => {
    const answers = await flood();
    const refused = answers.filter((a) => a.status === 500).map((a) => a.ms);
    expect(refused.length).toBeGreaterThan(1000);
    // Refused without waiting for the rate limit: far below requestTimeout (5 s).
    expect(percentile(refused, 50)).toBeLessThan(2000);
  }, 60_000);
});
