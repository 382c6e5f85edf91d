/**
 * Allow answers remembered for a moment (`allowCache.ttl`, default 1 s), for auth requests identical to one just
 * allowed: a page, a poll, a retry. A hit costs one keyed digest and a lookup instead of the whole pipeline.
 *
 * Contract:
 * - The key is the whole auth request as the proxy sent it: method, request-target and every header line in order
 *   (names as sent, values, repeats), except the proxy's per-request ID (X-Request-ID), which only the audit line
 *   reads. Whatever the pipeline could read is in it, so two requests share an entry only if every input the
 *   decision could depend on is the same. It is a keyed digest (cache/secret-key.ts): the cache holds no credential.
 * - Only allows are stored. A denial, a challenge or an error always runs the pipeline: regulation counts every
 *   failure, and the audit log gets every denial.
 * - An entry lives ttl at most, so a change (a removed user, an edited Ingress, a revoked grant, an expired token)
 *   is seen within ttl on top of the caches behind it. A configuration reload builds a new, empty cache.
 * - At most maxEntries entries; past that the oldest goes first, in constant time (a ring of keys: deleting a Map's
 *   first entry again and again leaves holes that every later "first entry" lookup walks over).
 */
import type { KeyedDigest } from "../cache/secret-key.js";
import type { DecisionRecord } from "../decision/gate.js";

export interface RepeatedAllow {
  readonly record: DecisionRecord;
  /** The answer's header lines as one flat list, for writeHead. */
  readonly head: readonly string[];
}

export interface RepeatedAllows {
  /** The key of a request: method, request-target and raw header lines (name, value, name, value, ...). */
  keyOf(method: string, target: string, rawHeaders: readonly string[]): string;
  /** The allow remembered under key, if it is younger than ttl at `now` (performance.now()). */
  get(key: string, now: number): RepeatedAllow | undefined;
  set(key: string, allow: RepeatedAllow, now: number): void;
}

interface Entry extends RepeatedAllow {
  readonly until: number;
  /** Its place in the ring of keys. */
  readonly slot: number;
}

const REQUEST_ID = "x-request-id";

export function createRepeatedAllows(options: {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly digest: KeyedDigest;
}): RepeatedAllows {
  const { ttlMs, maxEntries, digest } = options;
  const entries = new Map<string, Entry>();
  // ring[slot] is the key stored in that slot; the next set takes slot `next`, evicting the key there unless that
  // key has been stored again since (its entry then names a later slot).
  const ring: string[] = [];
  let next = 0;
  return {
    keyOf(method, target, raw) {
      // Each part prefixed with its length: no choice of values can move a boundary.
      let message = `${method.length}:${method}${target.length}:${target}`;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i] as string;
        if (name.length === REQUEST_ID.length && name.toLowerCase() === REQUEST_ID) continue;
        const value = raw[i + 1] as string;
        message += `${name.length}:${name}${value.length}:${value}`;
      }
      return digest(message);
    },
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.until > now) return entry;
      entries.delete(key);
      return undefined;
    },
    set(key, allow, now) {
      const evicted = ring[next];
      if (evicted !== undefined && entries.get(evicted)?.slot === next) entries.delete(evicted);
      ring[next] = key;
      entries.set(key, { ...allow, until: now + ttlMs, slot: next });
      next = (next + 1) % maxEntries;
    },
  };
}
