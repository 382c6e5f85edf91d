/**
 * Remembers successful verifications so a slow hash (bcrypt) runs once per user and password, not per request,
 * and a remembered success never waits for the hash pool or counts as an attempt.
 *
 * The key is a keyed digest (cache/secret-key.ts) of user, password and the stored hash: a changed or removed hash can never match an old
 * entry, and the cache holds no password. Only successes are stored; a failure (or a refused attempt) is
 * recomputed every time, so it can never turn into a success. Concurrent checks of the same triple share one
 * computation.
 */
import type { BoundedCache, LoadSource } from "../../cache/bounded-cache.js";
import type { SecretKeyer } from "../../cache/secret-key.js";
import type { CheckResult, CredentialCheck } from "./check.js";

export function cachedPasswordCheck(
  inner: CredentialCheck,
  cache: BoundedCache<CheckResult>,
  key: SecretKeyer,
  onSource?: (source: LoadSource) => void,
): CredentialCheck {
  const onlySuccesses = (result: CheckResult) => (result.kind === "verified" ? undefined : 0);
  return (password, entry, attempt) =>
    cache.load(
      key(entry.username, password, entry.hash),
      () => inner(password, entry, attempt),
      onlySuccesses,
      onSource,
    );
}
