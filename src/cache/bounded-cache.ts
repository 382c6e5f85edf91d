/**
 * A bounded TTL cache with coalesced misses.
 *
 * Bounded: at most maxEntries live entries; the least recently used is evicted to admit a new one (a spray of
 * distinct keys evicts, it never fails or grows). Coalesced: concurrent load() calls for one key share a single
 * loader call. A loader that throws is never cached; every waiter sees the error.
 */
import { LRUCache } from "lru-cache";

export interface BoundedCacheOptions {
  readonly maxEntries: number;
  /** Default time to live of an entry, in milliseconds. */
  readonly ttlMs: number;
}

export class BoundedCache<V extends {}> {
  private readonly entries: LRUCache<string, V>;
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(options: BoundedCacheOptions) {
    this.entries = new LRUCache<string, V>({ max: options.maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** @param ttlMs lifetime of this entry; 0 or less stores nothing. */
  set(key: string, value: V, ttlMs?: number): void {
    if (ttlMs !== undefined && ttlMs <= 0) return;
    this.entries.set(key, value, ttlMs === undefined ? undefined : { ttl: ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Returns the cached value, or runs loader once for all concurrent callers of this key and caches its value
   * for ttlFor(value) milliseconds (the default TTL when ttlFor is omitted or returns undefined; nothing when it
   * returns 0).
   */
  async load(key: string, loader: () => Promise<V>, ttlFor?: (value: V) => number | undefined): Promise<V> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const promise = (async () => {
      try {
        const value = await loader();
        this.set(key, value, ttlFor?.(value));
        return value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, promise);
    return promise;
  }
}
