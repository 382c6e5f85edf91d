/**
 * Regulation counters shared by every replica, in Redis or Valkey, so N replicas give an attacker the configured
 * limits once, not N times. The same semantics as the per-process Regulator (failures and in-flight reservations
 * per window, lockouts), each reserve or settle one atomic Lua script on the server's clock.
 *
 * Keys are `<keyPrefix>u:` or `a:` plus a SHA-256 of the user or address (bounded length, no names in the store);
 * every write renews the key's expiry to window + lockout, so a reservation lost with a crashed replica stops
 * counting at the latest that long after the key's last use.
 *
 * When the store does not answer within timeoutMs (or fails), the attempt is counted by this replica's own
 * Regulator instead, and onError is told: regulation degrades to per-replica limits, it never lets an attempt
 * through uncounted, and never turns an outage into refused logins.
 */
import { createHash } from "node:crypto";
import type { AttemptCounter, Lock, RegulationLimits, Regulator, Reservation } from "./regulation.js";

/** Runs one Lua script (EVAL); the composition root adapts a Redis client to it. */
export type EvalScript = (script: string, keys: string[], args: string[]) => Promise<unknown>;

export interface SharedRegulationOptions extends RegulationLimits {
  readonly keyPrefix: string;
  readonly timeoutMs: number;
  readonly fallback: Regulator;
  readonly onLockout?: (kind: Lock) => void;
  readonly onError?: (error: unknown) => void;
}

const NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)";
const READ = `local h = redis.call('HMGET', KEYS[k], 'f', 'i', 'w', 'l')
  local f, i, w, l = tonumber(h[1]) or 0, tonumber(h[2]) or 0, tonumber(h[3]) or now, tonumber(h[4]) or 0
  if now - w >= window then f = 0 w = now end`;
const WRITE = "redis.call('HSET', KEYS[k], 'f', f, 'i', i, 'w', w, 'l', l) redis.call('PEXPIRE', KEYS[k], ttl)";

/** ARGV: window, lockout, ttl, then each key's limit. Returns 0, or the 1-based index of the key that refuses. */
const RESERVE = `${NOW}
local window, ttl = tonumber(ARGV[1]), tonumber(ARGV[3])
for k = 1, #KEYS do
  ${READ}
  if l > now or f + i >= tonumber(ARGV[3 + k]) then return k end
end
for k = 1, #KEYS do
  ${READ}
  i = i + 1
  ${WRITE}
end
return 0`;

/** ARGV: window, lockout, ttl, then each key's outcome (clear, release, fail) and limit. Returns the keys locked. */
const SETTLE = `${NOW}
local window, lockout, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local locked = {}
for k = 1, #KEYS do
  ${READ}
  if i > 0 then i = i - 1 end
  local outcome, max = ARGV[2 + 2 * k], tonumber(ARGV[3 + 2 * k])
  if outcome == 'clear' then f = 0 end
  if outcome == 'fail' then
    f = f + 1
    if f >= max and l <= now then l = now + lockout f = 0 w = now table.insert(locked, k) end
  end
  ${WRITE}
end
return locked`;

export function sharedRegulation(run: EvalScript, options: SharedRegulationOptions): AttemptCounter {
  const digest = (s: string) => createHash("sha256").update(s).digest("base64url");
  const common = [options.windowMs, options.lockoutMs, options.windowMs + options.lockoutMs].map(String);
  const withTimeout = <T>(p: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("regulation store timed out")), options.timeoutMs);
      p.then(resolve, reject).finally(() => clearTimeout(timer));
    });

  return {
    async reserve(user, address): Promise<Reservation> {
      const counted: Array<{ key: string; kind: Lock; max: number }> = [];
      if (user !== undefined) {
        counted.push({ key: `${options.keyPrefix}u:${digest(user)}`, kind: "user", max: options.maxFailuresPerUser });
      }
      if (address !== undefined) {
        const key = `${options.keyPrefix}a:${digest(address)}`;
        counted.push({ key, kind: "address", max: options.maxFailuresPerAddress });
      }
      if (counted.length === 0) return { settle: async () => {} };
      const keys = counted.map((c) => c.key);
      let refusing: unknown;
      try {
        refusing = await withTimeout(run(RESERVE, keys, [...common, ...counted.map((c) => String(c.max))]));
      } catch (error) {
        options.onError?.(error);
        return options.fallback.reserve(user, address);
      }
      const lock = counted[Number(refusing) - 1]?.kind;
      if (lock) return { lock };
      return {
        async settle(verified) {
          const outcomes = counted.flatMap((c) => [
            !verified ? "fail" : c.kind === "user" ? "clear" : "release",
            String(c.max),
          ]);
          try {
            const locked = await withTimeout(run(SETTLE, keys, [...common, ...outcomes]));
            for (const k of Array.isArray(locked) ? locked : []) {
              const kind = counted[Number(k) - 1]?.kind;
              if (kind) options.onLockout?.(kind);
            }
          } catch (error) {
            // The reservation stays counted in the store until its key expires: fail closed.
            options.onError?.(error);
          }
        },
      };
    },
  };
}
