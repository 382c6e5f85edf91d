/**
 * A bounded TTL cache with coalesced misses and, optionally, bounded stale answers.
 *
 * Bounded: at most maxEntries entries; the least recently used is evicted to admit a new one (a spray of
 * distinct keys evicts, it never fails or grows). Coalesced: concurrent load() calls for one key share a single
 * loader call. A loader that throws is never cached. Stale: when maxStaleMs > 0, an entry outlives its TTL by up to
 * maxStaleMs, and is returned only when a reload fails (the apiserver is down): exactly the answer once given for
 * exactly that key, never anything wider.
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

interface Entry<V> {
  readonly value: V;
  readonly freshUntil: number;
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

  /** @param ttlMs lifetime of this entry (default: the cache's TTL); 0 or less stores nothing. */
  set(key: string, value: V, ttlMs: number = this.ttlMs): void {
    if (ttlMs <= 0) return;
    this.entries.set(key, { value, freshUntil: this.now() + ttlMs }, { ttl: ttlMs + this.maxStaleMs });
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Returns the fresh value, or runs loader once for all concurrent callers of this key and caches its value
   * for ttlFor(value) milliseconds (the default TTL when ttlFor is omitted or returns undefined; nothing when it
   * returns 0 or less). When the loader throws and a stale entry is within maxStaleMs, that entry's value is the
   * answer and onSource says "stale".
   */
  async load(
    key: string,
    loader: () => Promise<V>,
    ttlFor?: (value: V) => number | undefined,
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
      if (stale && this.now() - stale.freshUntil <= this.maxStaleMs) {
        onSource?.("stale");
        return stale.value;
      }
      throw error;
    }
  }
}
