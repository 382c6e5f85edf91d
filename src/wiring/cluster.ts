/**
 * Cluster mode's parts: the Kubernetes client, the Ingress and Secret watches, TokenReview and SubjectAccessReview
 * with their caches. A module of its own so that it (and the Kubernetes client library) loads only when the
 * configuration has a kubernetes section.
 */
import type { Authenticator } from "../authn/authenticator.js";
import type { HtpasswdStore } from "../authn/htpasswd/store.js";
import type { OidcOutcome } from "../authn/jwt/oidc.js";
import { createServiceAccountTokensAuthenticator } from "../authn/service-account-tokens.js";
import { createTokenReviewAuthenticator, type TokenReviewStatus } from "../authn/token-review.js";
import type { Authorizer } from "../authz/authorizer.js";
import { type AccessReviewStatus, createSubjectAccessReviewAuthorizer } from "../authz/subject-access-review.js";
import { BoundedCache, type LoadSource } from "../cache/bounded-cache.js";
import { createSecretKeyer } from "../cache/secret-key.js";
import type { Config } from "../config/config.js";
import type { KubernetesConfig } from "../config/kubernetes.js";
import { createKubeClient, type KubeClient, loadKubeConfig } from "../kube/client.js";
import { watchHtpasswdSecrets } from "../kube/htpasswd-secrets.js";
import { missingPermissions, neededPermissions } from "../kube/permissions.js";
import { discoverServiceAccountIssuer } from "../kube/service-account-issuer.js";
import { clusterRouteOptions, watchClusterRoutes } from "../kube/watched-routes.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";
import type { RouteSource } from "../routing/route-sources.js";
import { buildOidcAuthenticator } from "./oidc.js";
import { StartupError } from "./startup-error.js";

export interface ClusterParts {
  /** Where the cluster's routes come from, per kind of proxy (kube/watched-routes.ts). */
  readonly routeSources: readonly RouteSource[];
  readonly store: HtpasswdStore;
  readonly bearer: Authenticator;
  /** Tokens of kubernetes.authenticationConfig's issuers, verified here; absent without that file. */
  readonly oidc?: Authenticator;
  readonly authorizer: Authorizer;
  readonly ready: () => boolean;
  readonly stop: () => Promise<void>;
}

export async function buildCluster(
  config: Config,
  k: KubernetesConfig,
  logger: Logger,
  metrics: Metrics,
): Promise<ClusterParts> {
  let kubeConfig: ReturnType<typeof loadKubeConfig>;
  try {
    kubeConfig = loadKubeConfig(k.kubeconfig);
  } catch (error) {
    throw new StartupError([`Kubernetes client configuration cannot be loaded: ${(error as Error).message}`]);
  }
  const key = createSecretKeyer();
  const observe =
    (cache: "tokenreview" | "oidc" | "serviceaccount" | "subjectaccessreview") => (source: LoadSource) => {
      metrics.cache(cache, source);
      if (source === "stale")
        logger.warn({ review: cache }, "apiserver unreachable: serving the last decision it gave");
    };
  // Read first: its problems are the operator's to fix, and need no apiserver.
  const oidc =
    k.authenticationConfig === undefined
      ? undefined
      : await buildOidcAuthenticator(k.authenticationConfig, k.cache, key, observe("oidc"));
  let missing: string[];
  try {
    missing = await missingPermissions(
      kubeConfig,
      neededPermissions(k.namespaces, k.secretNamespaces, k.httpRoutes ? k.gateways : undefined),
    );
  } catch (error) {
    throw new StartupError([(error as Error).message]);
  }
  if (missing.length > 0) throw new StartupError(missing);
  const saIssuer =
    k.serviceAccountTokens.verify === "local"
      ? await discoverServiceAccountIssuer(kubeConfig).catch((error: Error) => {
          throw new StartupError([error.message]);
        })
      : undefined;

  const client: KubeClient = createKubeClient(kubeConfig, {
    ...(k.kubeconfig === undefined ? {} : { kubeconfig: k.kubeconfig }),
    timeoutMs: k.requestTimeoutMs,
    qps: k.qps,
    burst: k.burst,
    maxPendingPerClient: k.maxPendingPerClient,
    onCall: (kind, outcome, seconds) => metrics.apiserverCall(kind, outcome, seconds),
  });
  const routes = await watchClusterRoutes(kubeConfig, clusterRouteOptions(k, config.realm), logger).catch(
    (error: Error) => {
      throw new StartupError([error.message]);
    },
  );
  const secrets = await watchHtpasswdSecrets(
    kubeConfig,
    {
      namespaces: k.secretNamespaces,
      usernamePrefix: k.htpasswdUsernamePrefix,
      allowWeakSchemes: config.htpasswd.allowWeakSchemes,
      limits: config.htpasswd.limits,
      onLoad: (source, users, weak) => metrics.htpasswdUsers(source, users, weak),
    },
    logger,
  ).catch(async (error: Error) => {
    await routes.stop();
    throw new StartupError([error.message]);
  });

  const reviewCache = <T extends object>(ttlMs: number) =>
    new BoundedCache<T>({ maxEntries: k.cache.maxEntries, ttlMs, maxStaleMs: k.cache.maxStaleMs });
  const tokenReview = createTokenReviewAuthenticator({
    review: client.tokenReview,
    cache: reviewCache<TokenReviewStatus>(k.cache.tokenReviewTtlMs),
    key,
    ttlMs: k.cache.tokenReviewTtlMs,
    failureTtlMs: k.cache.tokenReviewFailureTtlMs,
    audiences: k.audiences,
    onSource: observe("tokenreview"),
  });
  const bearer = saIssuer
    ? createServiceAccountTokensAuthenticator({
        issuer: saIssuer,
        tokenReview,
        cache: reviewCache<OidcOutcome>(k.cache.tokenReviewTtlMs),
        key,
        ttlMs: k.cache.tokenReviewTtlMs,
        failureTtlMs: k.cache.tokenReviewFailureTtlMs,
        audiences: k.audiences,
        onSource: observe("serviceaccount"),
      })
    : tokenReview;
  const authorizer = createSubjectAccessReviewAuthorizer({
    review: client.accessReview,
    cache: reviewCache<AccessReviewStatus>(k.cache.allowTtlMs),
    key,
    allowTtlMs: k.cache.allowTtlMs,
    denyTtlMs: k.cache.denyTtlMs,
    onSource: observe("subjectaccessreview"),
  });
  const collections = [...routes.collections, ...secrets.collections];
  const unwatch = metrics.watches(() => collections.map((c) => ({ watch: c.name, up: c.brokenSince() === undefined })));
  return {
    routeSources: routes.sources,
    store: secrets,
    bearer,
    ...(oidc === undefined ? {} : { oidc }),
    authorizer,
    // Not ready before the first sync, nor once a watch has been broken longer than its grace.
    ready: () =>
      collections.every((c) => {
        const broken = c.brokenSince();
        return c.synced() && (broken === undefined || Date.now() - broken < k.watchFailureGraceMs);
      }),
    stop: async () => {
      unwatch();
      await routes.stop();
      await secrets.stop();
      client.close();
    },
  };
}
