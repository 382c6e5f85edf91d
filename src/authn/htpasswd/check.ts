/**
 * The contracts between Basic authentication and the layers that check a password: verification (a hash, on the
 * worker pool), regulation (attempts reserved before the hash runs) and the verified-credential cache.
 */
import type { HtpasswdEntry } from "./parse.js";

/** Who is trying: what fairness and regulation count by. */
export interface Attempt {
  /** The htpasswd source (file name or "secret:..." key). */
  readonly source: string;
  readonly username: string;
  /** False for a name the source does not have: its check runs against a dummy hash and can never succeed. */
  readonly known: boolean;
  /** The client's address as the proxy reports it, when it does. */
  readonly address?: string;
}

/**
 * Computes whether password matches entry: resolves false for a mismatch; throws PasswordCheckUnavailable when
 * the check could not be made in time (a fault, answered 500).
 */
export type PasswordCheck = (password: string, entry: HtpasswdEntry, attempt: Attempt) => Promise<boolean>;

/** What a regulated check found; "locked" when regulation refused to evaluate the password at all. */
export type CheckResult =
  | { readonly kind: "verified" }
  | { readonly kind: "wrong" }
  | { readonly kind: "locked"; readonly lock: "user" | "address" };

export type CredentialCheck = (password: string, entry: HtpasswdEntry, attempt: Attempt) => Promise<CheckResult>;

const UNAVAILABLE = {
  busy: "password check refused: the hash queue is full for this source, address or user",
  deadline: "password check abandoned at its deadline",
  failed: "password check failed: the hash worker stopped",
} as const;

/** The password could not be checked: its share of the hash queue was full, its deadline passed, or it failed. */
export class PasswordCheckUnavailable extends Error {
  constructor(readonly reason: keyof typeof UNAVAILABLE) {
    super(UNAVAILABLE[reason]);
  }
}
