import { EventEmitter } from "node:events";
import bcrypt from "bcrypt";
import { encrypt } from "unixcrypt";
import { afterEach, describe, expect, it } from "vitest";
import type { NativeHashing } from "../../../src/authn/htpasswd/bcrypt-addon.js";
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
/** A SHA-crypt entry of the standard 5000 rounds for "right": JavaScript, so it runs on a worker thread. */
const SHA_CRYPT: HtpasswdEntry = {
  username: "carol",
  hash: encrypt("right", "$6$rounds=5000$saltsalt"),
  scheme: "sha512-crypt",
};
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

/** A hash thread that loads only when told ("ready") and records what it was sent and whether it was ended. */
type FakeThread = EventEmitter & HashThread & { terminated: boolean; posted: unknown[] };
function fakeThread(made: FakeThread[]): HashThread {
  const thread = Object.assign(new EventEmitter(), {
    terminated: false,
    posted: [] as unknown[],
    postMessage: (request: unknown) => thread.posted.push(request),
    ref: () => {},
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

/** Native hashing of bcrypt that answers only when told: `running` holds each hash in flight. */
function fakeNative() {
  const running: Array<(verified: boolean) => void> = [];
  const native: NativeHashing = {
    schemes: new Set(["bcrypt"]),
    verify: () => new Promise<boolean>((resolve) => running.push(resolve)),
  };
  return { native, running };
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
  it("verifies off the event loop: bcrypt in its native addon, other schemes on worker threads", async () => {
    const p = start();
    let results: boolean[] = [];
    const stall = await maxLoopStall(async () => {
      results = await Promise.all([
        p.check("right", entry(COST10), attempt()),
        p.check("wrong", entry(COST10), attempt()),
        ...Array.from({ length: 8 }, () => p.check("wrong", atCost(11), attempt())),
        p.check("right", SHA_CRYPT, attempt()),
        p.check("wrong", SHA_CRYPT, attempt()),
      ]);
    });
    expect(results).toEqual([true, ...Array(9).fill(false), true, false]);
    // About a second of hashing in all: on the event loop that would be one long stall.
    expect(stall).toBeLessThan(300);
    expect(outcomes.filter((o) => o === "wrong")).toHaveLength(10);
  });

  it("computes bcrypt without a thread, at most workers hashes at once, the next when one returns", async () => {
    const { native, running } = fakeNative();
    const p = start({ workers: 2, native });
    const checks = Array.from({ length: 5 }, () => p.check("x", entry(COST10), attempt()));
    expect(running).toHaveLength(2);
    expect(p.threads).toBe(0);
    running[0]?.(true);
    await checks[0];
    expect(running).toHaveLength(3);
    for (const answer of running.slice(1)) answer(false);
    await Promise.all(checks.slice(1, 3));
    expect(running).toHaveLength(5);
    for (const answer of running.slice(3)) answer(false);
    expect(await Promise.all(checks)).toEqual([true, false, false, false, false]);
    expect(p.threads).toBe(0);
  });

  it("answers a bcrypt still computing at its deadline 500, and keeps its place until the addon returns", async () => {
    // Native code cannot be stopped: were its place given to the next hash, a flood of slow hashes past their
    // deadlines would compute on more threads than workers.
    const { native, running } = fakeNative();
    const p = start({ workers: 1, deadlineMs: 100, native });
    const slow = p.check("x", entry(COST10), attempt("team", "10.0.0.1"));
    await expect(slow).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    expect(outcomes).toEqual(["deadline_running"]);
    const next = p.check("right", entry(COST10), attempt("team", "10.0.0.2"));
    await new Promise((r) => setTimeout(r, 20));
    expect(running).toHaveLength(1);
    // The late answer is dropped (its check was answered), and the waiting check takes the place.
    running[0]?.(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(running).toHaveLength(2);
    running[1]?.(true);
    expect(await next).toBe(true);
    expect(outcomes).toEqual(["deadline_running", "verified"]);
  });

  it("abandons a check still running at its deadline, counts it, and keeps serving with a new worker", async () => {
    const p = start({ workers: 1, deadlineMs: 1500 });
    const started = performance.now();
    const slow = p.check(HUGE_PASSWORD, SLOW, attempt());
    await expect(slow).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    expect(performance.now() - started).toBeLessThan(2500);
    expect(outcomes).toEqual(["deadline_running"]);
    expect(await p.check("right", SHA_CRYPT, attempt())).toBe(true);
  });

  it("drops a check still waiting at its deadline without evaluating it", async () => {
    const p = start({ workers: 1, deadlineMs: 400 });
    // Its thread started and loaded first, so that the deadlines below count hashing only.
    await p.check("right", SHA_CRYPT, attempt("team", "10.0.0.9"));
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
    // And the pool serves on: neither check left its place taken.
    expect(await p.check("right", SHA_CRYPT, attempt("team", "10.0.0.3"))).toBe(true);
  });

  it("keeps a bcrypt's queue shares past its deadline until the addon returns", async () => {
    const { native, running } = fakeNative();
    const p = start({ workers: 2, deadlineMs: 100, native, queue: { ...queue, maxPendingPerUser: 1 } });
    await expect(p.check("x", entry(COST10), attempt())).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    // Still computing: the user's one check is still pending, though answered.
    await expect(p.check("y", entry(COST10), attempt())).rejects.toEqual(new PasswordCheckUnavailable("busy"));
    running[0]?.(false);
    await new Promise((r) => setTimeout(r, 0));
    const again = p.check("right", entry(COST10), attempt());
    expect(running).toHaveLength(2);
    running[1]?.(true);
    expect(await again).toBe(true);
  });

  it("drops a check that would start with under a tenth of its deadline left, and frees the place it was given", async () => {
    const { native, running } = fakeNative();
    const p = start({ workers: 1, deadlineMs: 1000, native });
    const first = p.check("a", entry(COST10), attempt("team", "10.0.0.1"));
    const late = p.check("b", entry(COST10), attempt("team", "10.0.0.2"));
    await new Promise((r) => setTimeout(r, 930));
    running[0]?.(false);
    expect(await first).toBe(false);
    await expect(late).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    expect(outcomes).toEqual(["wrong", "deadline_queued"]);
    const next = p.check("c", entry(COST10), attempt("team", "10.0.0.3"));
    expect(running).toHaveLength(2);
    running[1]?.(true);
    expect(await next).toBe(true);
  });

  it("counts bcrypt and thread hashes together against workers", async () => {
    const { native, running } = fakeNative();
    const threads: FakeThread[] = [];
    const p = start({ workers: 2, native, startThread: () => fakeThread(threads) });
    const x = p.check("x", entry(COST10), attempt("team", "10.0.0.1"));
    const y = p.check("y", SHA_CRYPT, attempt("team", "10.0.0.2"));
    const z = p.check("z", SHA_CRYPT, attempt("team", "10.0.0.3"));
    expect(running).toHaveLength(1);
    expect(threads).toHaveLength(1);
    threads[0]?.emit("message", "ready");
    running[0]?.(true);
    expect(await x).toBe(true);
    // bcrypt's place went to z, on a thread of its own.
    expect(threads).toHaveLength(2);
    expect(threads.map((t) => t.posted.length)).toEqual([1, 1]);
    threads[1]?.emit("message", "ready");
    threads[0]?.emit("message", false);
    threads[1]?.emit("message", true);
    expect(await Promise.all([y, z])).toEqual([false, true]);
  });

  it("keeps a bcrypt's place when the idle thread it runs beside ends, until the addon returns", async () => {
    const { native, running } = fakeNative();
    const threads: FakeThread[] = [];
    const p = start({ workers: 1, native, startThread: () => fakeThread(threads) });
    const warm = p.check("w", SHA_CRYPT, attempt());
    threads[0]?.emit("message", "ready");
    threads[0]?.emit("message", true);
    expect(await warm).toBe(true);
    const hashing = p.check("x", entry(COST10), attempt());
    expect(running).toHaveLength(1);
    threads[0]?.emit("exit", 1);
    const waiting = p.check("y", SHA_CRYPT, attempt());
    await new Promise((r) => setTimeout(r, 20));
    expect(threads).toHaveLength(1);
    running[0]?.(true);
    expect(await hashing).toBe(true);
    expect(threads).toHaveLength(2);
    threads[1]?.emit("message", "ready");
    threads[1]?.emit("message", true);
    expect(await waiting).toBe(true);
  });

  it("answers a JavaScript hash 500 at once while no thread can start, without holding up bcrypt behind it", async () => {
    const { native, running } = fakeNative();
    const p = start({
      workers: 1,
      native,
      startThread: () => {
        throw new Error("EAGAIN");
      },
    });
    const sha = p.check("x", SHA_CRYPT, attempt("team", "10.0.0.1"));
    const bcrypt = p.check("y", entry(COST10), attempt("team", "10.0.0.2"));
    await expect(sha).rejects.toEqual(new PasswordCheckUnavailable("failed"));
    expect(running).toHaveLength(1);
    running[0]?.(true);
    expect(await bcrypt).toBe(true);
  });

  it("starts threads only for JavaScript hashes to compute, at most workers of them, and ends them once idle", async () => {
    const p = start({ workers: 2, idleMs: 300 });
    expect(await p.check("right", entry(COST10), attempt())).toBe(true);
    expect(p.threads).toBe(0);
    const checks = Array.from({ length: 4 }, () => p.check("wrong", SHA_CRYPT, attempt()));
    expect(p.threads).toBe(2);
    await Promise.all(checks);
    expect(p.threads).toBe(2);
    // An idle thread's place serves bcrypt too, without ending the thread.
    expect(await p.check("right", entry(COST10), attempt())).toBe(true);
    expect(p.threads).toBe(2);
    const end = Date.now() + 5000;
    while (p.threads > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(p.threads).toBe(0);
    // And a check after the quiet spell starts one again.
    expect(await p.check("right", SHA_CRYPT, attempt())).toBe(true);
    expect(p.threads).toBe(1);
  });

  it("never ends a thread while it loads: a deadline or close() during its start waits for its ready", async () => {
    // Terminating a worker while it loads bcrypt's native addon aborts the whole process (Napi::Error).
    const threads: FakeThread[] = [];
    const p = start({ workers: 1, deadlineMs: 50, startThread: () => fakeThread(threads) });
    const expired = p.check("x", SHA_CRYPT, attempt());
    await expect(expired).rejects.toEqual(new PasswordCheckUnavailable("deadline"));
    expect(outcomes).toEqual(["deadline_running"]);
    const [loading] = threads as [FakeThread];
    expect(loading.terminated).toBe(false);
    loading.emit("message", "ready");
    expect(loading.terminated).toBe(true);

    // close() while a fresh thread loads: it waits for the thread's ready, then ends it.
    const queued = p.check("y", SHA_CRYPT, attempt());
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
