/**
 * ServiceAccount tokens verified here before the apiserver is asked (kubernetes.serviceAccountTokens.verify:
 * local): a decorator of the "bearer" (TokenReview) authenticator.
 *
 * A bearer token whose unverified "iss" is the apiserver's ServiceAccount issuer is checked against the issuer's
 * keys (signature, "iss", "aud", "exp", "nbf") and mapped as the apiserver maps it (jwt/service-account-claims.ts):
 * - refused here: answered 401 at once; no TokenReview is sent (forged, expired, other-audience tokens);
 * - accepted here: the identity goes to the authorizer at once, and the TokenReview (the wrapped authenticator, with
 *   its cache) is the confirmation the gate runs alongside: a request is allowed only when the apiserver also
 *   authenticates the token, as the same user. What only the apiserver knows (the ServiceAccount, bound Pod or
 *   Secret still exists with that uid) is so still its answer, cached as long as in "tokenreview" mode.
 * Every other token (legacy Secret tokens, issuer "kubernetes/serviceaccount"; other issuers; opaque tokens) goes
 * to the wrapped authenticator unchanged.
 *
 * Local outcomes are cached, keyed by a keyed digest of token and audiences: an accepted one never past the token's "exp",
 * a refusal for failureTtl. Faults (the keys cannot be had) are thrown, never cached.
 */
import type { BoundedCache, Lifetime, LoadSource } from "../cache/bounded-cache.js";
import type { SecretKeyer } from "../cache/secret-key.js";
import type { Result } from "../vocabulary/result.js";
import type { UserInfo } from "../vocabulary/types.js";
import { type AuthenticationResult, type Authenticator, NO_OPINION } from "./authenticator.js";
import { type Claims, checkTimes, unverifiedIssuer } from "./jwt/claims.js";
import type { OidcOutcome } from "./jwt/oidc.js";
import { serviceAccountUser } from "./jwt/service-account-claims.js";

/** The apiserver's ServiceAccount issuer, as discovered. */
export interface ServiceAccountIssuer {
  readonly issuer: string;
  /** Signature (the issuer's current keys), "iss", "aud" (any of audiences) and algorithm; throws on a fault. */
  verify(token: string, audiences: readonly string[]): Promise<Result<Claims>>;
}

export interface ServiceAccountTokensDeps {
  readonly issuer: ServiceAccountIssuer;
  /** The TokenReview authenticator: tokens of other issuers, and the confirmation of this issuer's. */
  readonly tokenReview: Authenticator;
  /** Its clock must be the wall clock (epoch milliseconds): a token's "exp" bounds its entries. */
  readonly cache: BoundedCache<OidcOutcome>;
  readonly key: SecretKeyer;
  readonly ttlMs: number;
  readonly failureTtlMs: number;
  /** Audiences when the route names none; empty means the apiserver's default, its issuer (--api-audiences unset). */
  readonly audiences: readonly string[];
  readonly now?: () => number;
  readonly onSource?: (source: LoadSource) => void;
}

export function createServiceAccountTokensAuthenticator(deps: ServiceAccountTokensDeps): Authenticator {
  const now = deps.now ?? Date.now;
  const { issuer } = deps;
  const check = async (token: string, audiences: readonly string[]): Promise<OidcOutcome> => {
    const verified = await issuer.verify(token, audiences);
    if (!verified.ok) return { ok: false, reason: verified.error };
    const times = checkTimes(verified.value, now());
    if (!times.ok) return { ok: false, reason: times.error };
    const user = serviceAccountUser(verified.value);
    return user.ok ? { ok: true, user: user.value, expiresAt: times.value } : { ok: false, reason: user.error };
  };
  const lifetime = (outcome: OidcOutcome): number | Lifetime =>
    outcome.ok ? { ttlMs: deps.ttlMs, notAfter: outcome.expiresAt } : deps.failureTtlMs;
  return {
    kind: "bearer",
    async authenticate(credentials, route, request) {
      if (credentials.kind !== "bearer") return NO_OPINION;
      const { token } = credentials;
      if (unverifiedIssuer(token) !== issuer.issuer) return deps.tokenReview.authenticate(credentials, route, request);
      const asked = route.audiences ?? deps.audiences;
      const audiences = asked.length > 0 ? asked : [issuer.issuer];
      const { value: outcome, source: cache } = await deps.cache.loadWithSource(
        deps.key("ServiceAccount", token, ...audiences),
        () => check(token, audiences),
        lifetime,
        deps.onSource,
      );
      if (!outcome.ok) return { kind: "rejected", reason: outcome.reason };
      if (outcome.expiresAt <= now()) return { kind: "rejected", reason: "token has expired" };
      const { user } = outcome;
      const confirm = async (): Promise<AuthenticationResult> => {
        const reviewed = await deps.tokenReview.authenticate(credentials, route, request);
        if (reviewed.kind !== "authenticated") {
          return reviewed.kind === "rejected" ? reviewed : { kind: "rejected", reason: "token not authenticated" };
        }
        if (!sameUser(reviewed.user, user)) {
          return { kind: "rejected", reason: "the apiserver names another user for this token" };
        }
        return reviewed;
      };
      return { kind: "authenticated", user, cache, confirm };
    },
  };
}

/** Username, uid and groups equal: the identity the authorizer was asked about is the apiserver's. */
export function sameUser(a: UserInfo, b: UserInfo): boolean {
  const groups = (u: UserInfo) => [...u.groups].sort().join("\n");
  return a.username === b.username && a.uid === b.uid && groups(a) === groups(b);
}
