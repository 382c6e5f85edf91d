/**
 * Brute-force regulation for Basic credentials: failed attempts are counted per user (of one htpasswd source) and
 * per client address within a window; past the limit, that user or address is locked out for a while. A locked
 * request is answered 401 without looking at the password, so a correct password during a lockout is refused too
 * (ingress-nginx turns a 429 into a 500, so 401 is the only honest answer). A success clears the user's count.
 *
 * Memory is bounded: users are counted only when they exist (an unknown name counts against the address alone),
 * and the counters live in an LRU of maxEntries; under a spray of distinct addresses the oldest counters are
 * evicted, which can only shorten a lockout, never create one.
 */
import { LRUCache } from "lru-cache";

export interface RegulationOptions {
  readonly windowMs: number;
  readonly lockoutMs: number;
  readonly maxFailuresPerUser: number;
  readonly maxFailuresPerAddress: number;
  readonly maxEntries: number;
  readonly now?: () => number;
  /** Told when a lockout starts. */
  readonly onLockout?: (kind: "user" | "address") => void;
}

interface Counter {
  count: number;
  windowStart: number;
  lockedUntil: number;
}

export class Regulator {
  private readonly counters: LRUCache<string, Counter>;
  private readonly now: () => number;

  constructor(private readonly options: RegulationOptions) {
    this.counters = new LRUCache({ max: options.maxEntries });
    this.now = options.now ?? Date.now;
  }

  /** Which lock, if any, applies to this user or address now. */
  locked(user: string, address: string | undefined): "user" | "address" | undefined {
    const now = this.now();
    if ((this.counters.get(`u\u0000${user}`)?.lockedUntil ?? 0) > now) return "user";
    if (address !== undefined && (this.counters.get(`a\u0000${address}`)?.lockedUntil ?? 0) > now) return "address";
    return undefined;
  }

  /** @param user undefined when the name is unknown: only the address is counted then. */
  failed(user: string | undefined, address: string | undefined): void {
    if (user !== undefined) this.count(`u\u0000${user}`, this.options.maxFailuresPerUser, "user");
    if (address !== undefined) this.count(`a\u0000${address}`, this.options.maxFailuresPerAddress, "address");
  }

  succeeded(user: string): void {
    this.counters.delete(`u\u0000${user}`);
  }

  get size(): number {
    return this.counters.size;
  }

  private count(key: string, max: number, kind: "user" | "address"): void {
    const now = this.now();
    let c = this.counters.get(key);
    if (!c || now - c.windowStart >= this.options.windowMs) {
      c = { count: 0, windowStart: now, lockedUntil: c?.lockedUntil ?? 0 };
      this.counters.set(key, c);
    }
    c.count++;
    if (c.count >= max && c.lockedUntil <= now) {
      c.lockedUntil = now + this.options.lockoutMs;
      c.count = 0;
      c.windowStart = now;
      this.options.onLockout?.(kind);
    }
  }
}
