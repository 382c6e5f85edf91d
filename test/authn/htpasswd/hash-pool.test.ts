import { EventEmitter } from "node:events";
import bcrypt from "bcrypt";
import { afterEach, describe, expect, it } from "vitest";
import { PasswordCheckUnavailable } from "../../../src/authn/htpasswd/check.js";
import { type HashOutcome, HashPool, type HashThread } from "../../../src/authn/htpasswd/hash-pool.js";
import type { HtpasswdEntry } from "../../../src/authn/htpasswd/parse.js";

const COST10 = bcrypt.hashSync("right", 10);
const entry = (hash: string): HtpasswdEntry => ({ username: "alice", hash, scheme: "bcrypt" });
/** The same hash at another cost: comparing computes that cost (and fails), without minutes to make one. */
const atCost = (cost: number) => entry(`$2b$${cost}$${COST10.slice(7)}`);
/**
 * With HUGE_PASSWORD, most of a minute of SHA-crypt in JavaScript, which terminating its worker really stops
 * (native bcrypt runs on until it returns).
 */
const SLOW: HtpasswdEntry = {
  username: "eve",
  hash: `$6$rounds=50000$saltsalt$${"a".repeat(86)}`,
  scheme: "sha512-crypt",
};
const HUGE_PASSWORD = "p".repeat(100_000);
const queue = { maxQueued: 1000, maxPendingPerSource: 1000, maxPendingPerAddress: 1000, maxPendingPerUser: 1000 };
const attempt = (source = "team", address = "10.0.0.1", username = "alice") => ({
  source,
  address,
  username,
  known: true,
});

let pool: HashPool | undefined;
const outcomes: HashOutcome[] = [];
const start = (options: Partial<ConstructorParameters<typeof HashPool>[0]> = {}) => {
  outcomes.length = 0;
  pool = new HashPool({ workers: 2, deadlineMs: 5000, queue, onOutcome: (o) => outcomes.push(o), ...options });
  return pool;
};
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** A hash thread that loads only when told ("ready") and records whether it was ended. */
type FakeThread = EventEmitter & HashThread & { terminated: boolean };
function fakeThread(made: FakeThread[]): HashThread {
  const thread = Object.assign(new EventEmitter(), {
    terminated: false,
    postMessage: () => {},
    unref: () => {},
    terminate: async () => {
      thread.terminated = true;
      thread.emit("exit", 1);
      return 1;
    },
  }) as unknown as FakeThread;
  made.push(thread);
  return thread;
}

/** The longest the event loop was blocked while fn ran, in milliseconds. */
async function maxLoopStall(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return worst;
}

describe("HashPool", () => {
  it("verifies on worker threads while the event loop stays free", async () => {
    const p = start();
    let results: boolean[] = [];
    const stall = await maxLoopStall(async () => {
      results = await Promise.all([
        p.check("right", entry(COST10), attempt()),
        p.check("wrong", entry(COST10), attempt()),
        ...Array.from({ length: 8 }, () => p.check("wrong", atCost(11), attempt())),
      ]);
    });
    expect(results).toEqual([true, ...Array(9).fill(false)]);
    // About a second of hashing in all: on the event loop that would be one long stall.
    expect(stall).toBeLessThan(300);
    expect(outcomes.filter((o) => o === "wrong")).toHaveLength(9);
  });

  it("abandons a check still running at its deadline, counts it, and keeps serving with a new worker", async () => {
    const p = start({ workers: 1, deadlineMs: 1500 });
    const started = performance.now();
    const slow = p.check(HUGE_PASSWORD, SLOW, attempt());
    await expect(slow).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    expect(performance.now() - started).toBeLessThan(2500);
    expect(outcomes).toEqual(["deadline_running"]);
    expect(await p.check("right", entry(COST10), attempt())).toBe(true);
  });

  it("drops a check still waiting at its deadline without evaluating it", async () => {
    const p = start({ workers: 1, deadlineMs: 400 });
    // Its thread started and loaded first, so that the deadlines below count hashing only.
    await p.check("right", entry(COST10), attempt("team", "10.0.0.9"));
    outcomes.length = 0;
    const settled = await Promise.allSettled([
      p.check(HUGE_PASSWORD, SLOW, attempt("team", "10.0.0.1")),
      p.check("right", entry(COST10), attempt("team", "10.0.0.2")),
    ]);
    expect(settled.map((s) => s.status === "rejected" && s.reason instanceof PasswordCheckUnavailable)).toEqual([
      true,
      true,
    ]);
    expect(outcomes.sort()).toEqual(["deadline_queued", "deadline_running"]);
  });

  it("starts threads only for hashes to compute, at most workers of them, and ends them once idle", async () => {
    const p = start({ workers: 2, idleMs: 300 });
    expect(p.threads).toBe(0);
    const checks = Array.from({ length: 4 }, () => p.check("wrong", entry(COST10), attempt()));
    expect(p.threads).toBe(2);
    await Promise.all(checks);
    expect(p.threads).toBe(2);
    const end = Date.now() + 5000;
    while (p.threads > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(p.threads).toBe(0);
    // And a check after the quiet spell starts one again.
    expect(await p.check("right", entry(COST10), attempt())).toBe(true);
    expect(p.threads).toBe(1);
  });

  it("never ends a thread while it loads: a deadline or close() during its start waits for its ready", async () => {
    // Terminating a worker while it loads bcrypt's native addon aborts the whole process (Napi::Error).
    const threads: FakeThread[] = [];
    const p = start({ workers: 1, deadlineMs: 50, startThread: () => fakeThread(threads) });
    const expired = p.check("x", entry(COST10), attempt());
    await expect(expired).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    expect(outcomes).toEqual(["deadline_running"]);
    const [loading] = threads as [FakeThread];
    expect(loading.terminated).toBe(false);
    loading.emit("message", "ready");
    expect(loading.terminated).toBe(true);

    // close() while a fresh thread loads: it waits for the thread's ready, then ends it.
    const queued = p.check("y", entry(COST10), attempt());
    const second = threads[1] as FakeThread;
    const closing = p.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(second.terminated).toBe(false);
    second.emit("message", "ready");
    second.emit("message", false);
    await closing;
    expect(second.terminated).toBe(true);
    expect(await queued).toBe(false);
  });

  it("refuses at once past a user's share of the queue", async () => {
    const p = start({ workers: 1, queue: { ...queue, maxPendingPerUser: 2 } });
    const admitted = [p.check("a", entry(COST10), attempt()), p.check("b", entry(COST10), attempt())];
    await expect(p.check("c", entry(COST10), attempt())).rejects.toEqual(new PasswordCheckUnavailable("busy"));
    expect(await p.check("right", entry(COST10), attempt("team", "10.0.0.1", "bob"))).toBe(true);
    await Promise.all(admitted);
  });

  it("answers another tenant after the hashes already running, not after a flood from one address", async () => {
    const p = start({ workers: 2 });
    const flood = Array.from({ length: 40 }, (_, i) =>
      p.check(`guess-${i}`, entry(COST10), attempt("team-a", "203.0.113.9")),
    );
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    expect(await p.check("right", entry(COST10), attempt("team-b", "198.51.100.7", "bob"))).toBe(true);
    const waited = performance.now() - started;
    await Promise.all(flood);
    // Two bcrypt-10 hashes ahead at most (one per worker), then its own: ~0.2 s on an idle core.
    expect(waited).toBeLessThan(1000);
  }, 30_000);
});
