/** `htpasswd:`: the password files, the bounds on their hashes, the hash worker pool and the verdict cache. */
import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { duration, flag, integer, list, mapping, rule, type SchemaContext, text } from "./leaves.js";

export const SOURCE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Printable ASCII without spaces: prefixes end up in user names and Redis keys. */
export const VISIBLE_PREFIX = /^[\x21-\x7e]{1,64}$/;
const GROUP = /^[\x21-\x7e]{1,253}$/;

const limits = DEFAULTS.htpasswd.limits;
const hashing = DEFAULTS.htpasswd.hashing;

export const htpasswdLimits = () =>
  mapping({
    // bcrypt's own range is 4..31; SHA-crypt's is 1,000..999,999,999.
    maxBcryptCost: integer(4, 31).prefault(limits.maxBcryptCost),
    maxShaCryptRounds: integer(1000, 999_999_999).prefault(limits.maxShaCryptRounds),
    maxLineBytes: integer(256, 1 << 20).prefault(limits.maxLineBytes),
    maxPasswordBytes: integer(72, 1 << 16).prefault(limits.maxPasswordBytes),
  }).prefault({});

/** The deadline must end before the proxy gives up on the auth subrequest (ingress-nginx: 60 s). */
const deadline = () =>
  duration().pipe(
    z
      .number()
      .min(100, rule("from 100ms to 30s, below the proxy's auth timeout"))
      .max(30_000, rule("from 100ms to 30s, below the proxy's auth timeout")),
  );

export const htpasswdHashing = () =>
  mapping({
    workers: integer(1, 64).prefault(hashing.workers),
    deadline: deadline().prefault(hashing.deadline),
    maxQueued: integer(1, 100_000).prefault(hashing.maxQueued),
    maxPendingPerSource: integer(1, 100_000).prefault(hashing.maxPendingPerSource),
    maxPendingPerAddress: integer(1, 100_000).prefault(hashing.maxPendingPerAddress),
    maxPendingPerUser: integer(1, 100_000).prefault(hashing.maxPendingPerUser),
  })
    .transform(({ workers, deadline, ...queues }) => ({ workers, deadlineMs: deadline, ...queues }))
    .prefault({});

export const htpasswdCache = () =>
  mapping({
    ttl: duration().prefault(DEFAULTS.htpasswd.cache.ttl),
    maxEntries: integer(1, 10_000_000).prefault(DEFAULTS.htpasswd.cache.maxEntries),
  })
    .transform(({ ttl, maxEntries }) => ({ ttlMs: ttl, maxEntries }))
    .prefault({});

/** Names are unique across the list (rules.ts): routes refer to files by name. */
export const sourceName = () => text("a lower-case DNS label", SOURCE_NAME);

export const htpasswdFile = (context: SchemaContext) =>
  mapping({
    name: sourceName(),
    path: text("a file path"),
    usernamePrefix: z
      .string(rule("visible ASCII without spaces"))
      .refine((v) => v === "" || VISIBLE_PREFIX.test(v), rule("visible ASCII without spaces"))
      .prefault(""),
    groups: list(text("a group name", GROUP)).prefault([]),
  }).transform((f) => ({
    name: f.name,
    path: context.resolvePath(f.path),
    usernamePrefix: f.usernamePrefix,
    groups: f.groups,
  }));

export const htpasswd = (context: SchemaContext) =>
  mapping({
    allowWeakSchemes: flag().prefault(DEFAULTS.htpasswd.allowWeakSchemes),
    limits: htpasswdLimits(),
    hashing: htpasswdHashing(),
    cache: htpasswdCache(),
    files: list(htpasswdFile(context)).prefault([]),
  }).prefault({});
