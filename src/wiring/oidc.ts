/**
 * The "oidc" authenticator from kubernetes.authenticationConfig: the apiserver's AuthenticationConfiguration file,
 * read and checked at start (every problem at once, as a StartupError), one key set per issuer, one cache.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import type { Authenticator } from "../authn/authenticator.js";
import { readAuthenticationConfig } from "../authn/jwt/authentication-config.js";
import { createIssuerVerifier } from "../authn/jwt/issuer-keys.js";
import { createOidcAuthenticator, type OidcOutcome } from "../authn/jwt/oidc.js";
import { BoundedCache, type LoadSource } from "../cache/bounded-cache.js";
import type { SecretKeyer } from "../cache/secret-key.js";
import type { KubernetesConfig } from "../config/kubernetes.js";
import { describeReadError } from "../config/read-error.js";
import { StartupError } from "./startup-error.js";

export async function buildOidcAuthenticator(
  path: string,
  cache: KubernetesConfig["cache"],
  key: SecretKeyer,
  onSource: (source: LoadSource) => void,
): Promise<Authenticator> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new StartupError([`kubernetes.authenticationConfig ${path} cannot be read: ${describeReadError(error)}`]);
  }
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new StartupError([`kubernetes.authenticationConfig ${path} is not YAML: ${(error as Error).message}`]);
  }
  const read = readAuthenticationConfig(document);
  if (!read.ok) throw new StartupError(read.error.map((problem) => `${path}: ${problem}`));
  return createOidcAuthenticator({
    issuers: read.value.map((issuer) => createIssuerVerifier(issuer)),
    // Entries of the TokenReview cache's size and lifetimes: the same question, answered locally.
    cache: new BoundedCache<OidcOutcome>({
      maxEntries: cache.maxEntries,
      ttlMs: cache.tokenReviewTtlMs,
      maxStaleMs: cache.maxStaleMs,
    }),
    key,
    ttlMs: cache.tokenReviewTtlMs,
    failureTtlMs: cache.tokenReviewFailureTtlMs,
    onSource,
  });
}
