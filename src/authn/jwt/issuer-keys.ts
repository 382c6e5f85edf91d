/**
 * One issuer's keys and the signature check: discovery (once it succeeds, retried at most every retryMs while it
 * fails), then jose's remote key set at the discovered jwks_uri. Keys are refetched when a token names a key not in
 * the set (at most once per cooldownMs, so tokens with made-up key ids cannot make it fetch in a loop) and when the
 * set is older than maxAgeMs: a provider's key rotation is followed without a restart.
 */
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from "jose";
import { fail, ok, type Result } from "../../vocabulary/result.js";
import type { JwtAuthenticatorConfig } from "./authentication-config.js";
import { NOT_BEFORE_LEEWAY_MS } from "./claims.js";
import { type FetchLimits, fetchJson, httpsFetcher } from "./https-fetch.js";
import type { IssuerVerifier } from "./oidc.js";

/** The asymmetric algorithms kube-apiserver's JWT authenticator accepts; never "none", never HMAC. */
export const SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

export interface KeyOptions extends FetchLimits {
  readonly cooldownMs: number;
  readonly maxAgeMs: number;
  readonly retryMs: number;
}

export const KEY_DEFAULTS: KeyOptions = {
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
  cooldownMs: 10_000,
  maxAgeMs: 10 * 60_000,
  retryMs: 10_000,
};

/** jose's codes for a token that is wrong (401); every other error is a fault (500). */
const REJECTIONS = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWSInvalid.code,
  errors.JWTInvalid.code,
]);

export function createIssuerVerifier(
  config: JwtAuthenticatorConfig,
  options: KeyOptions = KEY_DEFAULTS,
): IssuerVerifier {
  const { url, discoveryURL, audiences, certificateAuthority } = config.issuer;
  const fetch = httpsFetcher(certificateAuthority, options);
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  let failedAt = 0;
  const discover = async () => {
    const where = discoveryURL ?? `${url.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const doc = await fetchJson(fetch, where);
    // As go-oidc: the document must name the configured issuer, or its keys are someone else's.
    if (doc.issuer !== url)
      throw new Error(`discovery document ${where} names issuer ${JSON.stringify(doc.issuer)}, not ${url}`);
    if (typeof doc.jwks_uri !== "string" || !doc.jwks_uri.startsWith("https://")) {
      throw new Error(`discovery document ${where} has no https jwks_uri`);
    }
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.maxAgeMs,
      [customFetch]: fetch,
    });
  };
  const keySet = () => {
    if (!keys) {
      if (Date.now() - failedAt < options.retryMs) throw new Error(`issuer ${url}: discovery failed recently`);
      keys = discover().catch((error: unknown) => {
        keys = undefined;
        failedAt = Date.now();
        throw error;
      });
    }
    return keys;
  };
  return {
    config,
    async verify(token) {
      // The widest the apiserver allows (nbf); claims.ts checks "exp" again without leeway.
      return verifySignedToken(token, await keySet(), url, audiences, NOT_BEFORE_LEEWAY_MS / 1000);
    },
  };
}

/**
 * jose's check of a token against a key set: signature with an asymmetric algorithm, "iss", "aud" (any of
 * audiences), a required "exp", times within clockTolerance seconds. The claims, or why the token is refused;
 * throws on a fault (the keys cannot be fetched).
 */
export async function verifySignedToken(
  token: string,
  keys: ReturnType<typeof createRemoteJWKSet>,
  issuer: string,
  audiences: readonly string[],
  clockTolerance: number,
): Promise<Result<JWTPayload>> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer,
      audience: [...audiences],
      algorithms: SIGNING_ALGORITHMS,
      requiredClaims: ["exp"],
      clockTolerance,
    });
    return ok(payload);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== undefined && REJECTIONS.has(code)) return fail(`token refused: ${(error as Error).message}`);
    throw error;
  }
}
