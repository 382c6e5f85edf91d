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
 * - An entry keeps only what a hit needs: the answer's head and what its audit line says (decision, method, host,
 *   path, client address, route, SubjectAccessReview attributes). An allow whose kept strings exceed
 *   MAX_ENTRY_CHARS is not remembered: a client choosing long paths cannot make entries large. Measured with the
 *   default 2,000 entries: 2.2 MB of heap with 100-character paths, 5.6 MB with paths just under the limit.
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
  /** Remembers an allow's answer (a record of another kind, or one too large, is not remembered). */
  set(key: string, record: DecisionRecord, head: readonly string[], now: number): void;
}

/** The most characters an entry's kept strings may have. */
export const MAX_ENTRY_CHARS = 2048;

/**
 * What a hit needs of an allow, without the caches' own traces (a hit asked none of them), marked as answered by
 * this cache; undefined when its strings exceed MAX_ENTRY_CHARS or it is not an allow.
 */
export function keptAllow(record: DecisionRecord, head: readonly string[]): RepeatedAllow | undefined {
  const { decision, request, route, authorization } = record;
  if (decision.kind !== "allow") return undefined;
  const { user } = decision;
  let chars = user.username.length + (user.uid?.length ?? 0);
  for (const group of user.groups) chars += group.length;
  for (const [name, values] of Object.entries(user.extra ?? {}))
    for (const v of values) chars += name.length + v.length;
  for (const part of head) chars += part.length;
  if (request) chars += request.host.length + request.path.length + (request.clientAddress?.length ?? 0);
  const { resourceAttributes: resource, nonResourceAttributes: nonResource } = authorization ?? {};
  if (nonResource) chars += nonResource.path.length;
  if (resource) for (const value of Object.values(resource)) chars += typeof value === "string" ? value.length : 0;
  if (chars > MAX_ENTRY_CHARS) return undefined;
  return {
    record: {
      decision,
      ...(request
        ? {
            request: {
              method: request.method,
              host: request.host,
              path: request.path,
              ...(request.clientAddress === undefined ? {} : { clientAddress: request.clientAddress }),
            },
          }
        : {}),
      ...(route ? { route } : {}),
      ...(resource || nonResource
        ? {
            authorization: {
              ...(resource ? { resourceAttributes: resource } : {}),
              ...(nonResource ? { nonResourceAttributes: nonResource } : {}),
            },
          }
        : {}),
      answeredBy: "allowCache",
    },
    head,
  };
}

interface Entry extends RepeatedAllow {
  readonly until: number;
  /** Its place in the ring of keys. */
  readonly slot: number;
}

const REQUEST_ID = "x-request-id";

/** The length labels "0:" to "1023:", made once: most parts get theirs without turning a number into a string. */
const LABELS = Array.from({ length: 1024 }, (_, length) => `${length}:`);

/** A part prefixed with its length: no choice of values can move a boundary between two parts. */
const labelled = (part: string): string =>
  (part.length < LABELS.length ? (LABELS[part.length] as string) : `${part.length}:`) + part;

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
      // One string, appended to part by part and hashed once. It leaves short-lived strings behind (the appended
      // pieces), and costs half the CPU time of joining an array of the parts (docs/performance.md, "The allow
      // cache's key, and the release at close").
      let message = labelled(method) + labelled(target);
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i] as string;
        if (name.length === REQUEST_ID.length && name.toLowerCase() === REQUEST_ID) continue;
        message += labelled(name);
        message += labelled(raw[i + 1] as string);
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
    set(key, record, head, now) {
      const allow = keptAllow(record, head);
      if (allow === undefined) return;
      const evicted = ring[next];
      if (evicted !== undefined && entries.get(evicted)?.slot === next) entries.delete(evicted);
      ring[next] = key;
      entries.set(key, { ...allow, until: now + ttlMs, slot: next });
      next = (next + 1) % maxEntries;
    },
  };
}
