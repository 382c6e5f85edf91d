import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimiter, type RateLimiterOptions, type Release } from "../../src/kube/rate-limiter.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const limiter = (options: Partial<RateLimiterOptions> = {}) =>
  new RateLimiter({ qps: 10, burst: 1, maxPendingPerClient: 1000, now: () => Date.now(), ...options });

/** Starts acquire() and records when (fake milliseconds after start) and how it settled. */
function track(l: RateLimiter, client?: string, maxWaitMs?: number) {
  const started = Date.now();
  const result: { at?: number; release?: Release; error?: Error } = {};
  l.acquire({ ...(client === undefined ? {} : { client }), ...(maxWaitMs === undefined ? {} : { maxWaitMs }) }).then(
    (release) => {
      result.at = Date.now() - started;
      result.release = release;
    },
    (error: Error) => {
      result.at = Date.now() - started;
      result.error = error;
    },
  );
  return result;
}

describe("RateLimiter", () => {
  it("lets a burst through at once, then admits the rest at the configured rate, in order", async () => {
    const l = limiter({ qps: 100, burst: 5 });
    const calls = Array.from({ length: 15 }, () => track(l));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.release).length).toBe(5);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.every((c) => c.release)).toBe(true);
    const times = calls.map((c) => c.at as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // 10 calls beyond the burst at 100/s: the last one after about 100 ms.
    expect(times.at(-1)).toBeGreaterThanOrEqual(90);
  });

  it("serves a newcomer's first call after one token per waiting client, however long the flooder's queue", async () => {
    const l = limiter({ qps: 10, burst: 1 });
    const flood = Array.from({ length: 500 }, () => track(l, "203.0.113.9"));
    await vi.advanceTimersByTimeAsync(250);
    const newcomer = track(l, "198.51.100.7");
    await vi.advanceTimersByTimeAsync(200);
    // One token every 100 ms; the flooder's queue had ~497 calls left, the newcomer waits for one turn at most.
    expect(newcomer.release).toBeDefined();
    expect(newcomer.at).toBeLessThanOrEqual(200);
    expect(flood.filter((c) => c.release).length).toBeLessThan(6);
  });

  it("takes turns between waiting clients instead of serving one queue first", async () => {
    const l = limiter({ qps: 10, burst: 1 });
    track(l, "a"); // takes the burst
    const order: string[] = [];
    for (const client of ["a", "a", "a", "b", "b", "c"]) {
      void l.acquire({ client }).then(() => order.push(client));
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(["a", "b", "c", "a", "b", "a"]);
  });

  it("refuses a client's call past its pending bound (waiting or in flight) and admits other clients", async () => {
    const l = limiter({ qps: 10, burst: 2, maxPendingPerClient: 2 });
    const first = track(l, "flooder");
    const second = track(l, "flooder");
    const third = track(l, "flooder");
    const other = track(l, "other");
    await vi.advanceTimersByTimeAsync(100);
    expect(first.release && second.release).toBeDefined();
    expect(third.error?.message).toMatch(/pending for this client/);
    expect(other.release).toBeDefined();
    // Released calls make room again.
    first.release?.();
    first.release?.(); // idempotent: releases one call only
    const fourth = track(l, "flooder");
    const fifth = track(l, "flooder");
    await vi.advanceTimersByTimeAsync(500);
    expect(fourth.release).toBeDefined();
    expect(fifth.error?.message).toMatch(/pending for this client/);
  });

  it("removes a caller from the queue when its wait passes its deadline, so it takes no token", async () => {
    const l = limiter({ qps: 10, burst: 1 });
    track(l, "a");
    const late = track(l, "a", 50);
    const patient = track(l, "b");
    await vi.advanceTimersByTimeAsync(60);
    expect(late.error?.message).toMatch(/deadline passed/);
    expect(l.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(patient.at).toBeLessThanOrEqual(100);
  });

  it("at its queue bound refuses the longest queue's newest call rather than a newcomer", async () => {
    const l = limiter({ qps: 1, burst: 1, maxQueued: 5 });
    track(l, "flooder");
    const flood = Array.from({ length: 5 }, () => track(l, "flooder"));
    const refused = track(l, "flooder");
    const newcomer = track(l, "newcomer");
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.error?.message).toMatch(/too many apiserver calls waiting/);
    expect(flood.at(-1)?.error?.message).toMatch(/too many apiserver calls waiting/);
    expect(newcomer.error).toBeUndefined();
    // One token a second: the flooder's turn, then the newcomer's.
    await vi.advanceTimersByTimeAsync(2000);
    expect(newcomer.release).toBeDefined();
  });
});
