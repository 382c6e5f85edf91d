/**
 * Composition root: builds every dependency from a resolved Config. The only place where implementations are
 * chosen and connected; main.ts adds the process concerns (arguments, signals, exit codes).
 */
import type { RequestListener } from "node:http";
import type { Authenticator } from "./authn/authenticator.js";
import { createBasicAuthenticator } from "./authn/basic.js";
import { cachedPasswordCheck } from "./authn/htpasswd/cached-check.js";
import { combineStores, type HtpasswdStore } from "./authn/htpasswd/store.js";
import { type PasswordCheck, verifyPassword } from "./authn/htpasswd/verify.js";
import { Regulator } from "./authn/regulation.js";
import { createTokenReviewAuthenticator, type TokenReviewStatus } from "./authn/token-review.js";
import type { Authorizer } from "./authz/authorizer.js";
import { routeAuthorizer } from "./authz/route-authorizer.js";
import { type AccessReviewStatus, createSubjectAccessReviewAuthorizer } from "./authz/subject-access-review.js";
import { BoundedCache, type LoadSource } from "./cache/bounded-cache.js";
import { createSecretKeyer } from "./cache/secret-key.js";
import type { Config } from "./config/config.js";
import type { KubernetesConfig } from "./config/kubernetes.js";
import type { Credentials } from "./core/credentials.js";
import { ingressNginx } from "./core/dialects/ingress-nginx.js";
import { buildRouteTable, matchRoute, type Route } from "./core/routes.js";
import { createGate } from "./gate/decide.js";
import { createApp } from "./http/app.js";
import { createAuditLog } from "./http/audit.js";
import { createKubeClient, type KubeClient, loadKubeConfig } from "./kube/client.js";
import { watchHtpasswdSecrets } from "./kube/htpasswd-secrets.js";
import { watchIngresses } from "./kube/ingresses.js";
import { missingPermissions, neededPermissions } from "./kube/permissions.js";
import type { Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { HtpasswdFiles } from "./sources/htpasswd-files.js";

export interface Service {
  readonly app: RequestListener;
  readonly metrics: Metrics;
  /** Marks the service not ready (shutdown has begun); requests are still answered. */
  readonly drain: () => void;
  readonly close: () => Promise<void>;
}

export interface ServiceOptions {
  /** Replaces the password verification (tests count calls through it). */
  readonly passwordCheck?: PasswordCheck;
  readonly htpasswdPollIntervalMs?: number;
  /** Shared across reloads, so counters survive a configuration change. */
  readonly metrics?: Metrics;
}

export class StartupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

interface ClusterParts {
  readonly match: (host: string, path: string) => Route | undefined;
  readonly store: HtpasswdStore;
  readonly bearer: Authenticator<Extract<Credentials, { kind: "bearer" }>>;
  readonly authorizer: Authorizer;
  readonly ready: () => boolean;
  readonly stop: () => Promise<void>;
}

export async function buildService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const metrics = options.metrics ?? createMetrics();
  const { store: files, problems } = await HtpasswdFiles.open(config.htpasswd.files, {
    allowWeakSchemes: config.htpasswd.allowWeakSchemes,
    logger,
    onLoad: (source, users, weak) => metrics.htpasswdUsers(source, users, weak),
    ...(options.htpasswdPollIntervalMs === undefined ? {} : { pollIntervalMs: options.htpasswdPollIntervalMs }),
  });
  if (problems.length > 0) throw new StartupError(problems);
  const cluster = config.kubernetes ? await buildCluster(config, config.kubernetes, logger, metrics) : undefined;
  files.watch();

  const check = cachedPasswordCheck(
    options.passwordCheck ?? verifyPassword,
    new BoundedCache<boolean>(config.htpasswd.cache),
    createSecretKeyer(),
    (source) => metrics.cache("password", source),
  );
  const store = cluster ? combineStores(files, cluster.store) : files;
  const table = buildRouteTable(config.routes);
  let draining = false;
  const gate = createGate({
    dialect: ingressNginx,
    // Ingresses first: in a cluster they are the source of truth; configured routes fill in.
    resolveRoute: ({ host, path }) => cluster?.match(host, path) ?? matchRoute(table, host, path),
    authenticators: {
      basic: createBasicAuthenticator({
        store,
        check,
        ...(config.regulation
          ? { regulator: new Regulator({ ...config.regulation, onLockout: (kind) => metrics.lockout(kind) }) }
          : {}),
      }),
      ...(cluster ? { bearer: cluster.bearer } : {}),
    },
    authorizer: routeAuthorizer(cluster?.authorizer),
  });
  const app = createApp({
    ingressNginx: gate,
    identityHeaders: config.identityHeaders,
    audit: createAuditLog(logger, config.audit),
    metrics,
    ready: () => !draining && (cluster?.ready() ?? true),
  });
  return {
    app,
    metrics,
    drain: () => {
      draining = true;
    },
    close: async () => {
      files.close();
      await cluster?.stop();
    },
  };
}

async function buildCluster(
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
  let missing: string[];
  try {
    missing = await missingPermissions(kubeConfig, neededPermissions(k.namespaces, k.secretNamespaces));
  } catch (error) {
    throw new StartupError([(error as Error).message]);
  }
  if (missing.length > 0) throw new StartupError(missing);

  const client: KubeClient = createKubeClient(kubeConfig, {
    ...(k.kubeconfig === undefined ? {} : { kubeconfig: k.kubeconfig }),
    timeoutMs: k.requestTimeoutMs,
    qps: k.qps,
    burst: k.burst,
    onCall: (kind, outcome, seconds) => metrics.apiserverCall(kind, outcome, seconds),
  });
  const ingresses = await watchIngresses(
    kubeConfig,
    {
      ...(k.ingressClassName === undefined ? {} : { ingressClassName: k.ingressClassName }),
      namespaces: k.namespaces,
      defaults: { realm: config.realm, mapping: k.authorization, audiences: k.audiences },
    },
    logger,
  ).catch((error: Error) => {
    throw new StartupError([error.message]);
  });
  const secrets = await watchHtpasswdSecrets(
    kubeConfig,
    {
      namespaces: k.secretNamespaces,
      usernamePrefix: k.htpasswdUsernamePrefix,
      allowWeakSchemes: config.htpasswd.allowWeakSchemes,
      onLoad: (source, users, weak) => metrics.htpasswdUsers(source, users, weak),
    },
    logger,
  ).catch(async (error: Error) => {
    await ingresses.stop();
    throw new StartupError([error.message]);
  });

  const key = createSecretKeyer();
  const observe = (cache: "tokenreview" | "subjectaccessreview") => (source: LoadSource) => {
    metrics.cache(cache, source);
    if (source === "stale") logger.warn({ review: cache }, "apiserver unreachable: serving the last decision it gave");
  };
  const bearer = createTokenReviewAuthenticator({
    review: client.tokenReview,
    cache: new BoundedCache<TokenReviewStatus>({
      maxEntries: k.cache.maxEntries,
      ttlMs: k.cache.tokenReviewTtlMs,
      maxStaleMs: k.cache.maxStaleMs,
    }),
    key,
    ttlMs: k.cache.tokenReviewTtlMs,
    failureTtlMs: k.cache.tokenReviewFailureTtlMs,
    audiences: k.audiences,
    onSource: observe("tokenreview"),
  });
  const authorizer = createSubjectAccessReviewAuthorizer({
    review: client.accessReview,
    cache: new BoundedCache<AccessReviewStatus>({
      maxEntries: k.cache.maxEntries,
      ttlMs: k.cache.allowTtlMs,
      maxStaleMs: k.cache.maxStaleMs,
    }),
    key,
    allowTtlMs: k.cache.allowTtlMs,
    denyTtlMs: k.cache.denyTtlMs,
    onSource: observe("subjectaccessreview"),
  });
  const collections = [...ingresses.collections, ...secrets.collections];
  return {
    match: ingresses.match,
    store: secrets,
    bearer,
    authorizer,
    // Not ready before the first sync, nor once a watch has been broken longer than its grace.
    ready: () =>
      collections.every((c) => {
        const broken = c.brokenSince();
        return c.synced() && (broken === undefined || Date.now() - broken < k.watchFailureGraceMs);
      }),
    stop: async () => {
      await ingresses.stop();
      await secrets.stop();
    },
  };
}
