/**
 * The apiserver's own ServiceAccount issuer, read from the apiserver with the KubeConfig's credentials: its
 * discovery document (/.well-known/openid-configuration, for the issuer's name) and its keys (/openid/v1/jwks).
 * Both are served to authenticated clients bound to the ClusterRole system:service-account-issuer-discovery, which
 * the apiserver binds to every ServiceAccount (group system:serviceaccounts) by default.
 *
 * The keys are always fetched from the apiserver itself, not from the document's jwks_uri: that names the issuer's
 * external address (--service-account-jwks-uri, or the issuer URL), often unreachable from a pod. As for OIDC issuers
 * (authn/jwt/issuer-keys.ts), jose refetches them when a token names an unknown key (at most once per cooldown) and
 * when they are older than maxAge, so the apiserver's key rotation is followed without a restart.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { createRemoteJWKSet, customFetch } from "jose";
import { fetchJson, httpsFetcher, type RequestBase } from "../authn/jwt/https-fetch.js";
import { KEY_DEFAULTS, type KeyOptions, verifySignedToken } from "../authn/jwt/issuer-keys.js";
import type { ServiceAccountIssuer } from "../authn/service-account-tokens.js";

/** Throws when the document cannot be had (the start-up reports it). */
export async function discoverServiceAccountIssuer(
  config: KubeConfig,
  options: KeyOptions = KEY_DEFAULTS,
): Promise<ServiceAccountIssuer> {
  const server = config.getCurrentCluster()?.server?.replace(/\/$/, "");
  if (!server) throw new Error("no cluster in the Kubernetes client configuration");
  const fetch = httpsFetcher(async (): Promise<RequestBase> => {
    // Read per request: a projected ServiceAccount token is rotated on disk.
    const o: { ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; headers?: unknown } = {};
    await config.applyToHTTPSOptions(o as Parameters<KubeConfig["applyToHTTPSOptions"]>[0]);
    const headers = Object.fromEntries(
      Object.entries((o.headers ?? {}) as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === "string",
      ),
    );
    return {
      ...(o.ca === undefined ? {} : { ca: o.ca as RequestBase["ca"] }),
      ...(o.cert === undefined ? {} : { cert: o.cert as RequestBase["cert"] }),
      ...(o.key === undefined ? {} : { key: o.key as RequestBase["key"] }),
      ...(o.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
      headers,
    };
  }, options);
  const where = `${server}/.well-known/openid-configuration`;
  const doc = await fetchJson(fetch, where).catch((error: Error) => {
    throw new Error(
      `the apiserver's ServiceAccount issuer cannot be discovered (${error.message}); rbac-gate needs the ClusterRole system:service-account-issuer-discovery`,
    );
  });
  const issuer = doc.issuer;
  if (typeof issuer !== "string" || issuer === "") throw new Error(`${where} names no issuer`);
  const jwks = createRemoteJWKSet(new URL(`${server}/openid/v1/jwks`), {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.maxAgeMs,
    [customFetch]: fetch,
  });
  return {
    issuer,
    // go-jose's DefaultLeeway, which the apiserver's ServiceAccount authenticator allows on "nbf" and "iat";
    // checkTimes checks "exp" again without leeway (a refusal a minute early at worst, never an acceptance).
    verify: (token, audiences) => verifySignedToken(token, jwks, issuer, audiences, 60),
  };
}
