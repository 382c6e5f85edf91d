/**
 * Bearer tokens checked by TokenReview (authentication.k8s.io/v1), cached.
 *
 * An authenticated answer is kept ttl (default 2 min, the apiserver's webhook default) but never past the token's
 * own expiry when the token says it (a JWT "exp" claim, read only to shorten the lifetime, never to trust the
 * token); an unauthenticated answer is kept failureTtl (default 10 s) so a sprayed bad token costs one call per
 * interval. Keys are keyed digests of token and audiences; concurrent identical reviews are one apiserver call; errors are
 * never cached.
 *
 * Stale answers (the cache's maxStale, while the apiserver is unreachable): an authenticated answer is repeated
 * only for a token whose expiry is known, and never past it. TokenReview status carries no expiry, so without an
 * "exp" claim nothing bounds how long the token stays valid: its answer ends with its TTL. An unauthenticated
 * answer (a 401) may be repeated as the cache allows: it grants nothing.
 */
import type { BoundedCache, Lifetime, LoadSource } from "../cache/bounded-cache.js";
import type { SecretKeyer } from "../cache/secret-key.js";
import type { UserInfo } from "../vocabulary/types.js";
import { type Authenticator, NO_OPINION } from "./authenticator.js";

export interface TokenReviewStatus {
  readonly authenticated: boolean;
  readonly user?: UserInfo;
  readonly audiences?: readonly string[];
  readonly error?: string;
}

/**
 * Posts one TokenReview; throws when the apiserver does not answer. `client` is the address of the request that
 * needs it: uncached reviews are shared fairly between client addresses, and bounded per address.
 */
export type TokenReviewer = (
  spec: { token: string; audiences: readonly string[] },
  client?: string,
) => Promise<TokenReviewStatus>;

export interface TokenReviewAuthenticatorDeps {
  readonly review: TokenReviewer;
  /** Its clock must be the wall clock (epoch milliseconds): a token's "exp" bounds its entries. */
  readonly cache: BoundedCache<TokenReviewStatus>;
  readonly key: SecretKeyer;
  readonly ttlMs: number;
  readonly failureTtlMs: number;
  /** Audiences asked for when the route names none; empty means the apiserver's own. */
  readonly audiences: readonly string[];
  readonly onSource?: (source: LoadSource) => void;
}

export function createTokenReviewAuthenticator(deps: TokenReviewAuthenticatorDeps): Authenticator {
  return {
    kind: "bearer",
    async authenticate(credentials, route, request) {
      if (credentials.kind !== "bearer") return NO_OPINION;
      const { token } = credentials;
      const audiences = route.audiences ?? deps.audiences;
      const ttlFor = (status: TokenReviewStatus): number | Lifetime => {
        if (!status.authenticated) return deps.failureTtlMs;
        const expiry = jwtExpiry(token);
        return expiry === undefined ? { ttlMs: deps.ttlMs, stale: false } : { ttlMs: deps.ttlMs, notAfter: expiry };
      };
      const { value: status, source: cache } = await deps.cache.loadWithSource(
        deps.key("TokenReview", token, ...audiences),
        () => deps.review({ token, audiences }, request.clientAddress),
        ttlFor,
        deps.onSource,
      );
      if (!status.authenticated || !status.user) return { kind: "rejected", reason: "token not authenticated" };
      if (audiences.length > 0 && !status.audiences?.some((a) => audiences.includes(a))) {
        return { kind: "rejected", reason: "token audience not accepted" };
      }
      return { kind: "authenticated", user: status.user, cache };
    },
  };
}

/** The "exp" claim of a JWT in milliseconds, or undefined for anything else. Never throws. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
