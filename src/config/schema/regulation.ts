/** `regulation:`: brute-force regulation of Basic credentials, on unless `enabled: false`. */
import { DEFAULTS } from "../defaults.js";
import { VISIBLE_PREFIX } from "./htpasswd.js";
import { duration, flag, integer, mapping, text } from "./leaves.js";

const d = DEFAULTS.regulation;
export const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

/** Absent by default: then each replica counts alone, and N replicas give an attacker N times the limits. */
export const redis = () =>
  mapping({
    url: text("a redis:// or rediss:// URL", REDIS_URL),
    keyPrefix: text("visible ASCII without spaces", VISIBLE_PREFIX).prefault(d.redis.keyPrefix),
    timeout: duration().prefault(d.redis.timeout),
  }).transform(({ url, keyPrefix, timeout }) => ({ url, keyPrefix, timeoutMs: timeout }));

export const regulation = () =>
  mapping({
    enabled: flag().prefault(d.enabled),
    window: duration().prefault(d.window),
    lockout: duration().prefault(d.lockout),
    maxFailuresPerUser: integer(1, 1000).prefault(d.maxFailuresPerUser),
    maxFailuresPerAddress: integer(1, 100_000).prefault(d.maxFailuresPerAddress),
    maxEntries: integer(100, 10_000_000).prefault(d.maxEntries),
    redis: redis().optional(),
  })
    .transform(({ enabled, window, lockout, redis, ...counts }) =>
      enabled
        ? { windowMs: window, lockoutMs: lockout, ...counts, ...(redis === undefined ? {} : { redis }) }
        : undefined,
    )
    .prefault({});
