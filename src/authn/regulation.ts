/**
 * Brute-force regulation for Basic credentials: password evaluations are counted per user (of one htpasswd
 * source) and per client address within a window, and reserved before the hash runs, so concurrency cannot
 * outrun the count: at most maxFailuresPerUser (and maxFailuresPerAddress) evaluations per window are in flight or
 * done, whatever the burst. When failures reach the limit, that user or address is locked out for a while. A
 * refused attempt is answered 401 without looking at the password, so a correct password during a lockout is
 * refused too (ingress-nginx turns a 429 into a 500, so 401 is the only honest answer); a password already
 * verified and cached is not an evaluation and still passes. A success clears the user's failures and gives its
 * address its attempt back.
 *
 * Counters are per replica unless an AttemptCounter shared by every replica (Redis) is configured: with N
 * replicas and per-replica counters, an attacker spread over them gets N times the limit.
 */
import { LRUCache } from "lru-cache";

export type Lock = "user" | "address";

export interface RegulationLimits {
  readonly windowMs: number;
  readonly lockoutMs: number;
  readonly maxFailuresPerUser: number;
  readonly maxFailuresPerAddress: number;
}

/** One reserved evaluation, or the lock that refused it (nothing is reserved then). */
export type Reservation =
  | { readonly lock: Lock }
  | {
      readonly lock?: undefined;
      /** Ends the reservation: a failure counts (and may start a lockout), a success clears the user's failures. */
      settle(verified: boolean): Promise<void>;
    };

/** Where attempts are counted: this process, or a store every replica shares. */
export interface AttemptCounter {
  /** @param user undefined for an unknown name, counted against the address alone. */
  reserve(user: string | undefined, address: string | undefined): Promise<Reservation>;
}

export interface RegulationOptions extends RegulationLimits {
  readonly maxEntries: number;
  readonly now?: () => number;
  /** Told when a lockout starts. */
  readonly onLockout?: (kind: Lock) => void;
}

interface Counter {
  failures: number;
  inFlight: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * Counters of this process. Memory is bounded: users are counted only when they exist, and the counters live in
 * an LRU of maxEntries; under a spray of distinct addresses the oldest counters are evicted, which can only
 * shorten a lockout, never create one.
 */
export class Regulator implements AttemptCounter {
  private readonly counters: LRUCache<string, Counter>;
  private readonly now: () => number;

  constructor(private readonly options: RegulationOptions) {
    this.counters = new LRUCache({ max: options.maxEntries });
    this.now = options.now ?? Date.now;
  }

  async reserve(user: string | undefined, address: string | undefined): Promise<Reservation> {
    const lock = this.reserveNow(user, address);
    return lock ? { lock } : { settle: async (verified) => this.settleNow(user, address, verified) };
  }

  /** reserve(), synchronously. */
  reserveNow(user: string | undefined, address: string | undefined): Lock | undefined {
    const lock = this.locked(user, address);
    if (lock) return lock;
    if (user !== undefined) this.counter(`u\u0000${user}`).inFlight++;
    if (address !== undefined) this.counter(`a\u0000${address}`).inFlight++;
    return undefined;
  }

  /** Which lock would refuse an attempt now, without reserving one. */
  locked(user: string | undefined, address: string | undefined): Lock | undefined {
    if (user !== undefined && this.refuses(this.counter(`u\u0000${user}`), this.options.maxFailuresPerUser))
      return "user";
    if (address !== undefined && this.refuses(this.counter(`a\u0000${address}`), this.options.maxFailuresPerAddress))
      return "address";
    return undefined;
  }

  /** settle(), synchronously. */
  settleNow(user: string | undefined, address: string | undefined, verified: boolean): void {
    if (user !== undefined) this.end(`u\u0000${user}`, verified ? "clear" : "fail", "user");
    // A success gives the address its attempt back but keeps its failures: one success from a shared address
    // does not excuse the others' guesses.
    if (address !== undefined) this.end(`a\u0000${address}`, verified ? "release" : "fail", "address");
  }

  get size(): number {
    return this.counters.size;
  }

  private counter(key: string): Counter {
    const now = this.now();
    let c = this.counters.get(key);
    if (!c) {
      c = { failures: 0, inFlight: 0, windowStart: now, lockedUntil: 0 };
      this.counters.set(key, c);
    } else if (now - c.windowStart >= this.options.windowMs) {
      c.failures = 0;
      c.windowStart = now;
    }
    return c;
  }

  private refuses(c: Counter, max: number): boolean {
    return c.lockedUntil > this.now() || c.failures + c.inFlight >= max;
  }

  private end(key: string, outcome: "clear" | "release" | "fail", kind: Lock): void {
    const c = this.counter(key);
    c.inFlight = Math.max(0, c.inFlight - 1);
    if (outcome === "clear") c.failures = 0;
    if (outcome !== "fail") return;
    c.failures++;
    const now = this.now();
    const max = kind === "user" ? this.options.maxFailuresPerUser : this.options.maxFailuresPerAddress;
    if (c.failures >= max && c.lockedUntil <= now) {
      c.lockedUntil = now + this.options.lockoutMs;
      c.failures = 0;
      c.windowStart = now;
      this.options.onLockout?.(kind);
    }
  }
}
