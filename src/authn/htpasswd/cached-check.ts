/**
 * Remembers successful verifications so a slow hash (bcrypt) runs once per user and password, not per request.
 *
 * The key is an HMAC of user, password and the stored hash: a changed or removed hash can never match an old
 * entry, and the cache holds no password. Only successes are stored; a failure is recomputed every time, so a
 * failure can never turn into a success. Concurrent checks of the same triple share one computation.
 */
import type { BoundedCache, LoadSource } from "../../cache/bounded-cache.js";
import type { SecretKeyer } from "../../cache/secret-key.js";
import type { PasswordCheck } from "./verify.js";

export function cachedPasswordCheck(
  inner: PasswordCheck,
  cache: BoundedCache<boolean>,
  key: SecretKeyer,
  onSource?: (source: LoadSource) => void,
): PasswordCheck {
  const onlySuccesses = (verified: boolean) => (verified ? undefined : 0);
  return (password, entry) =>
    cache.load(key(entry.username, password, entry.hash), () => inner(password, entry), onlySuccesses, onSource);
}
