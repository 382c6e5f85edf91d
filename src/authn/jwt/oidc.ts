/**
 * Bearer tokens of the issuers of kube-apiserver's structured authentication configuration, verified here (the
 * kind "oidc"): the token's unverified "iss" only picks the issuer; that issuer's keys, audiences and claim rules
 * decide. A token of no configured issuer (or no JWT at all) gets no opinion, so a route that also lists "bearer"
 * hands it to TokenReview.
 *
 * Verified answers are cached, keyed by a keyed digest of the token: an authenticated one for ttl but never past the
 * token's "exp", a rejection for failureTtl. Faults (the issuer's keys cannot be fetched) are thrown, never cached.
 */
import type { BoundedCache, Lifetime, LoadSource } from "../../cache/bounded-cache.js";
import type { SecretKeyer } from "../../cache/secret-key.js";
import type { Result } from "../../vocabulary/result.js";
import type { UserInfo } from "../../vocabulary/types.js";
import { type Authenticator, NO_OPINION } from "../authenticator.js";
import type { JwtAuthenticatorConfig } from "./authentication-config.js";
import { type Claims, checkTimes, mapClaims, unverifiedIssuer } from "./claims.js";

/** One configured issuer. */
export interface IssuerVerifier {
  readonly config: JwtAuthenticatorConfig;
  /**
   * Checks signature (the issuer's current keys), "iss", "aud" and the algorithm: the claims, or why the token is
   * refused. Throws when the keys cannot be had (a fault, answered 500).
   */
  verify(token: string): Promise<Result<Claims>>;
}

/** What the cache keeps: a user until the token's expiry, or a reason. */
export type OidcOutcome =
  | { readonly ok: true; readonly user: UserInfo; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: string };

export interface OidcAuthenticatorDeps {
  readonly issuers: readonly IssuerVerifier[];
  /** Its clock must be the wall clock (epoch milliseconds): a token's "exp" bounds its entries. */
  readonly cache: BoundedCache<OidcOutcome>;
  readonly key: SecretKeyer;
  readonly ttlMs: number;
  readonly failureTtlMs: number;
  readonly now?: () => number;
  readonly onSource?: (source: LoadSource) => void;
}

export function createOidcAuthenticator(deps: OidcAuthenticatorDeps): Authenticator {
  const byUrl = new Map(deps.issuers.map((issuer) => [issuer.config.issuer.url, issuer]));
  const now = deps.now ?? Date.now;
  const check = async (issuer: IssuerVerifier, token: string): Promise<OidcOutcome> => {
    const verified = await issuer.verify(token);
    if (!verified.ok) return { ok: false, reason: verified.error };
    const times = checkTimes(verified.value, now());
    if (!times.ok) return { ok: false, reason: times.error };
    const user = mapClaims(issuer.config, verified.value);
    return user.ok ? { ok: true, user: user.value, expiresAt: times.value } : { ok: false, reason: user.error };
  };
  const lifetime = (outcome: OidcOutcome): number | Lifetime =>
    outcome.ok ? { ttlMs: deps.ttlMs, notAfter: outcome.expiresAt } : deps.failureTtlMs;
  return {
    kind: "oidc",
    async authenticate(credentials) {
      if (credentials.kind !== "bearer") return NO_OPINION;
      const { token } = credentials;
      const iss = unverifiedIssuer(token);
      const issuer = iss === undefined ? undefined : byUrl.get(iss);
      if (!issuer) return NO_OPINION;
      const { value: outcome, source: cache } = await deps.cache.loadWithSource(
        deps.key("OIDC", issuer.config.issuer.url, token),
        () => check(issuer, token),
        lifetime,
        deps.onSource,
      );
      if (!outcome.ok) return { kind: "rejected", reason: outcome.reason };
      // A cached answer never outlives the token (the cache's notAfter); this guards the clock's edge.
      if (outcome.expiresAt <= now()) return { kind: "rejected", reason: "token has expired" };
      return { kind: "authenticated", user: outcome.user, cache };
    },
  };
}
