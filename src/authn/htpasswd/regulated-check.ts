/**
 * A password check behind brute-force regulation: the attempt is reserved before the hash is asked for, so a
 * burst cannot be evaluated past the limit, and settled after. An unknown name is counted against the address
 * alone (locking a name nobody has protects no one, and a spray of invented names must not fill memory). A
 * check that could not finish (busy, past its deadline) counts as a failure: it may have been evaluated.
 */
import type { AttemptCounter } from "../regulation.js";
import type { CheckResult, CredentialCheck, PasswordCheck } from "./check.js";

const VERIFIED: CheckResult = Object.freeze({ kind: "verified" });
const WRONG: CheckResult = Object.freeze({ kind: "wrong" });

export function regulatedCheck(inner: PasswordCheck, counter?: AttemptCounter): CredentialCheck {
  return async (password, entry, attempt) => {
    if (!counter) return (await inner(password, entry, attempt)) ? VERIFIED : WRONG;
    const user = attempt.known ? `${attempt.source}\u0000${attempt.username}` : undefined;
    const reservation = await counter.reserve(user, attempt.address);
    if (reservation.lock) return { kind: "locked", lock: reservation.lock };
    let verified = false;
    try {
      verified = await inner(password, entry, attempt);
    } finally {
      await reservation.settle(verified);
    }
    return verified ? VERIFIED : WRONG;
  };
}
