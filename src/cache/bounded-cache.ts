/**
 * A bounded TTL cache with coalesced misses and, optionally, bounded stale answers.
 *
 * Bounded: at most maxEntries entries; the least recently used is evicted to admit a new one (a spray of
 * distinct keys evicts, it never fails or grows). Coalesced: concurrent load() calls for one key share a single
 * loader call. A loader that throws is never cached. Stale: when maxStaleMs > 0, an entry outlives its TTL by up to
 * maxStaleMs (counted from the end of its TTL, not from when it was stored), and is returned only when a reload
 * fails (the apiserver is down): exactly the answer once given for exactly that key, never anything wider. An entry
 * may carry its own end (Lifetime.notAfter, e.g. a token's expiry) past which it answers neither fresh nor stale, or
 * refuse stale answers altogether.
 */
import { LRUCache } from "lru-cache";

export interface BoundedCacheOptions {
  readonly maxEntries: number;
  /** Default time to live of an entry, in milliseconds. */
  readonly ttlMs: number;
  /** How long past its TTL an entry may still answer when its reload fails; 0 (default) never. */
  readonly maxStaleMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** How long one value may answer; a plain number is `{ ttlMs }`. */
export interface Lifetime {
  /** Fresh for this long; 0 or less stores nothing. */
  readonly ttlMs: number;
  /** The time (on the cache's clock) at which the value stops answering, fresh or stale. */
  readonly notAfter?: number;
  /** Whether the value may answer stale when a reload fails (default true, within maxStaleMs). */
  readonly stale?: boolean;
}

interface Entry<V> {
  readonly value: V;
  /** Fresh while now < freshUntil; may answer a failed reload while now < staleUntil. */
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/** How a load was answered, for logs and metrics. */
export type LoadSource = "hit" | "miss" | "stale";

export class BoundedCache<V extends {}> {
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly inFlight = new Map<string, Promise<V>>();
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;

  constructor(options: BoundedCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxStaleMs = options.maxStaleMs ?? 0;
    this.now = options.now ?? Date.now;
    this.entries = new LRUCache<string, Entry<V>>({ max: options.maxEntries });
  }

  /** The fresh value of key, if any. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.freshUntil > this.now() ? entry.value : undefined;
  }

  /** @param lifetime of this entry (default: the cache's TTL); one that ends before it starts stores nothing. */
  set(key: string, value: V, lifetime: number | Lifetime = this.ttlMs): void {
    const {
      ttlMs,
      notAfter = Number.POSITIVE_INFINITY,
      stale = true,
    } = typeof lifetime === "number" ? { ttlMs: lifetime } : lifetime;
    const now = this.now();
    const freshUntil = Math.min(now + ttlMs, notAfter);
    if (freshUntil <= now) return;
    const staleUntil = stale ? Math.min(freshUntil + this.maxStaleMs, notAfter) : freshUntil;
    this.entries.set(key, { value, freshUntil, staleUntil }, { ttl: staleUntil - now });
  }

  get size(): number {
    return this.entries.size;
  }

  /** load, also saying where the value came from (a decision's trace names it). */
  async loadWithSource(
    key: string,
    loader: () => Promise<V>,
    ttlFor?: (value: V) => number | Lifetime | undefined,
    onSource?: (source: LoadSource) => void,
  ): Promise<{ readonly value: V; readonly source: LoadSource }> {
    let source: LoadSource = "miss";
    const value = await this.load(key, loader, ttlFor, (s) => {
      source = s;
      onSource?.(s);
    });
    return { value, source };
  }

  /**
   * Returns the fresh value, or runs loader once for all concurrent callers of this key and caches its value
   * for ttlFor(value) (milliseconds or a Lifetime; the default TTL when ttlFor is omitted or returns undefined;
   * nothing when it returns 0 or less). When the loader throws and the key's entry may still answer stale (within
   * maxStaleMs past its TTL, before its notAfter), that entry's value is the answer and onSource says "stale".
   */
  async load(
    key: string,
    loader: () => Promise<V>,
    ttlFor?: (value: V) => number | Lifetime | undefined,
    onSource?: (source: LoadSource) => void,
  ): Promise<V> {
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && entry.freshUntil > now) {
      onSource?.("hit");
      return entry.value;
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          const value = await loader();
          this.set(key, value, ttlFor?.(value) ?? this.ttlMs);
          return value;
        } finally {
          this.inFlight.delete(key);
        }
      })();
      this.inFlight.set(key, pending);
    }
    try {
      const value = await pending;
      onSource?.("miss");
      return value;
    } catch (error) {
      const stale = this.entries.get(key);
      if (stale && this.now() < stale.staleUntil) {
        onSource?.("stale");
        return stale.value;
      }
      throw error;
    }
  }
}
