import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Regulator } from "../../src/authn/regulation.js";
import { openRegulationStore, type RegulationStore } from "../../src/authn/regulation-store.js";
import { sharedRegulation } from "../../src/authn/shared-regulation.js";
import { type RunningRedis, startRedis } from "../support/redis.js";

const limits = { windowMs: 60_000, lockoutMs: 300_000, maxFailuresPerUser: 5, maxFailuresPerAddress: 50 };
let redis: RunningRedis;
const stores: RegulationStore[] = [];
let prefix = 0;

/** One replica's counter, connected; replicas made with the same prefix share their counts. */
async function replica(keyPrefix: string) {
  const errors: unknown[] = [];
  const lockouts: string[] = [];
  const store = openRegulationStore(redis.url, (e) => errors.push(e));
  stores.push(store);
  await store.connected;
  const fallback = new Regulator({ ...limits, maxEntries: 1000 });
  const counter = sharedRegulation(store.run, {
    ...limits,
    keyPrefix,
    timeoutMs: 500,
    fallback,
    onLockout: (kind) => lockouts.push(kind),
    onError: (e) => errors.push(e),
  });
  return { counter, errors, lockouts, fallback };
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await redis?.stop();
});

describe("Regulation counters shared through Redis", () => {
  it("gives two replicas the per-user limit once, not twice", async () => {
    const p = `test${prefix++}:`;
    const [a, b] = [await replica(p), await replica(p)];
    const granted = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).counter.reserve("team\u0000alice", `10.0.0.${i}`)),
    );
    expect(granted.filter((r) => r.lock === undefined)).toHaveLength(5);
    expect(granted.filter((r) => r.lock === "user")).toHaveLength(15);
    expect(a.errors).toEqual([]);
  });

  it("locks a user out after the limit's failures on any replica, and a success clears the count", async () => {
    const p = `test${prefix++}:`;
    const [a, b] = [await replica(p), await replica(p)];
    const fail = async (r: Awaited<ReturnType<typeof replica>>) => {
      const reservation = await r.counter.reserve("team\u0000bob", "192.0.2.1");
      if (reservation.lock) throw new Error("refused");
      await reservation.settle(false);
    };
    for (let i = 0; i < 4; i++) await fail(i % 2 ? a : b);
    const ok = await a.counter.reserve("team\u0000bob", "192.0.2.1");
    if (ok.lock) throw new Error("refused");
    await ok.settle(true);
    for (let i = 0; i < 4; i++) await fail(b);
    await fail(a);
    expect(a.lockouts).toEqual(["user"]);
    expect((await b.counter.reserve("team\u0000bob", "198.51.100.1")).lock).toBe("user");
  });

  it("counts on the replica when Redis does not answer, and says so", async () => {
    const p = `test${prefix++}:`;
    const a = await replica(p);
    await a.counter.reserve(undefined, "203.0.113.1");
    const down = await startRedis();
    const store = openRegulationStore(down.url, () => {});
    stores.push(store);
    await down.stop();
    const errors: unknown[] = [];
    const fallback = new Regulator({ ...limits, maxFailuresPerUser: 2, maxEntries: 100 });
    const counter = sharedRegulation(store.run, {
      ...limits,
      keyPrefix: p,
      timeoutMs: 200,
      fallback,
      onError: (e) => errors.push(e),
    });
    const first = await counter.reserve("team\u0000carol", undefined);
    const second = await counter.reserve("team\u0000carol", undefined);
    expect([first.lock, second.lock]).toEqual([undefined, undefined]);
    expect((await counter.reserve("team\u0000carol", undefined)).lock).toBe("user");
    expect(errors.length).toBeGreaterThan(0);
  });
});
