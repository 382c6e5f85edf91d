/**
 * Composition root: builds every dependency from a resolved Config. The only place where implementations are
 * chosen and connected; main.ts adds the process concerns (arguments, signals, exit codes).
 */
import type { RequestListener } from "node:http";
import { createBasicAuthenticator } from "../authn/basic.js";
import { createClientCertificateAuthenticator, UNCONFIGURED_CLIENT_CERTIFICATES } from "../authn/client-certificate.js";
import { threadPoolShortfall } from "../authn/htpasswd/bcrypt-addon.js";
import { cachedPasswordCheck } from "../authn/htpasswd/cached-check.js";
import type { CheckResult, PasswordCheck } from "../authn/htpasswd/check.js";
import { HashPool } from "../authn/htpasswd/hash-pool.js";
import { regulatedCheck } from "../authn/htpasswd/regulated-check.js";
import { combineStores } from "../authn/htpasswd/store.js";
import { type AttemptCounter, Regulator } from "../authn/regulation.js";
import type { RegulationStore } from "../authn/regulation-store.js";
import { sharedRegulation } from "../authn/shared-regulation.js";
import { routeAuthorizer } from "../authz/route-authorizer.js";
import { BoundedCache } from "../cache/bounded-cache.js";
import { createKeyedDigest, createSecretKeyer } from "../cache/secret-key.js";
import type { Config } from "../config/config.js";
import { createGate, type GateDeps } from "../decision/gate.js";
import { type CheckHandler, createCheckHandler } from "../grpc/check-handler.js";
import { createApp } from "../http/app.js";
import { createAuditLog } from "../http/audit.js";
import { createRepeatedAllows } from "../http/repeated-allows.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";
import { UNSCRAPED } from "../metrics/unscraped.js";
import { ENVOY_GRPC } from "../request/dialects/envoy-grpc.js";
import { DIALECTS, type DialectEntry, type RoutedBy } from "../request/dialects/table.js";
import { caddyRouteTable } from "../routing/caddy-routes.js";
import { type RouteSource, routeResolver } from "../routing/route-sources.js";
import { buildRouteTable, matchRoute, servesHost, type WildcardLabels } from "../routing/routes.js";
import { readCaBundle } from "../sources/ca-bundle.js";
import { HtpasswdFiles } from "../sources/htpasswd-files.js";
import { StartupError } from "./startup-error.js";

export interface Service {
  readonly app: RequestListener;
  /** Envoy's gRPC ext_authz Check, over the same policy (served by the gRPC listener when one is configured). */
  readonly check: CheckHandler;
  /** Whether everything the service needs has loaded, and shutdown has not begun. */
  readonly ready: () => boolean;
  /** Marks the service not ready (shutdown has begun); requests are still answered. */
  readonly drain: () => void;
  readonly close: () => Promise<void>;
}

export interface ServiceOptions {
  /** Replaces the hash pool's password verification (tests count calls through it). */
  readonly passwordCheck?: PasswordCheck;
  readonly htpasswdPollIntervalMs?: number;
  /** Shared across reloads, so counters survive a configuration change; none: nothing is recorded. */
  readonly metrics?: Metrics;
}

export async function buildService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const metrics = options.metrics ?? UNSCRAPED;
  const { store: files, problems } = await HtpasswdFiles.open(config.htpasswd.files, {
    allowWeakSchemes: config.htpasswd.allowWeakSchemes,
    limits: config.htpasswd.limits,
    logger,
    onLoad: (source, users, weak) => metrics.htpasswdUsers(source, users, weak),
    ...(options.htpasswdPollIntervalMs === undefined ? {} : { pollIntervalMs: options.htpasswdPollIntervalMs }),
  });
  const bundle = config.clientCertificates ? await readCaBundle(config.clientCertificates.caFile) : undefined;
  if (problems.length > 0 || (bundle?.problems.length ?? 0) > 0) {
    throw new StartupError([...problems, ...(bundle?.problems ?? [])]);
  }
  // Loaded only in cluster mode: the Kubernetes client alone costs about 85 MB of resident memory.
  const cluster = config.kubernetes
    ? await (await import("./cluster.js")).buildCluster(config, config.kubernetes, logger, metrics)
    : undefined;
  files.watch();

  const { hashing } = config.htpasswd;
  const shortfall = options.passwordCheck ? undefined : threadPoolShortfall(hashing.workers, process.env);
  if (shortfall) logger.warn(shortfall);
  const pool = options.passwordCheck
    ? undefined
    : new HashPool({
        workers: hashing.workers,
        deadlineMs: hashing.deadlineMs,
        queue: hashing,
        onOutcome: (outcome, seconds) => metrics.passwordCheck(outcome, seconds),
      });
  const verify: PasswordCheck | undefined = options.passwordCheck ?? pool?.check;
  if (!verify) throw new Error("no password check");
  const { regulator, store: regulationStore } = await buildRegulation(config.regulation, logger, metrics);
  // Cache in front (a remembered success never waits or counts), regulation next (an attempt is reserved before
  // its hash is asked for), the pool last.
  const check = cachedPasswordCheck(
    regulatedCheck(verify, regulator),
    new BoundedCache<CheckResult>(config.htpasswd.cache),
    createSecretKeyer(),
    (source) => metrics.cache("password", source),
  );
  const store = cluster ? combineStores(files, cluster.store) : files;
  let draining = false;
  const ready = () => !draining && (cluster?.ready() ?? true);
  const policy: Omit<GateDeps, "dialect" | "resolveRoute"> = {
    // Every authenticator there is; each route asks those of the kinds it lists.
    authenticators: [
      createBasicAuthenticator({ store, check, maxPasswordBytes: config.htpasswd.limits.maxPasswordBytes }),
      ...(cluster?.oidc ? [cluster.oidc] : []),
      ...(cluster ? [cluster.bearer] : []),
      bundle
        ? createClientCertificateAuthenticator({ authorities: bundle.authorities })
        : UNCONFIGURED_CLIENT_CERTIFICATES,
    ],
    authorizer: routeAuthorizer(cluster?.authorizer),
  };
  const sources = routeSources(config, cluster?.routeSources);
  // One policy, read through each proxy's dialect and judged by the objects that proxy routes by.
  const gateFor = (dialect: DialectEntry) =>
    createGate({
      ...policy,
      dialect: dialect.read,
      clientCertificate: dialect.clientCertificate,
      resolveRoute: routeResolver(sources, dialect.routedBy),
    });
  const audit = createAuditLog(logger, config.audit);
  const app = createApp({
    endpoints: DIALECTS.map((dialect) => ({ dialect, gate: gateFor(dialect) })),
    identityHeaders: config.identityHeaders,
    audit,
    metrics,
    ready,
    ...(config.allowCache.ttlMs > 0
      ? { repeats: createRepeatedAllows({ ...config.allowCache, digest: createKeyedDigest() }) }
      : {}),
  });
  const grpcCheck = createCheckHandler({
    dialect: ENVOY_GRPC.name,
    gate: gateFor(ENVOY_GRPC),
    identityHeaders: config.identityHeaders,
    audit,
    metrics,
  });
  return {
    app,
    check: grpcCheck,
    ready,
    drain: () => {
      draining = true;
    },
    close: async () => {
      files.close();
      await Promise.all([cluster?.stop(), pool?.close(), regulationStore?.close()]);
    },
  };
}

/**
 * Per-replica counters, or counters shared through Redis with this replica's as the fallback. The Redis client is
 * loaded only then: it costs about 5 MB of heap.
 */
async function buildRegulation(
  options: Config["regulation"],
  logger: Logger,
  metrics: Metrics,
): Promise<{ regulator?: AttemptCounter; store?: RegulationStore }> {
  if (!options) return {};
  const local = new Regulator({ ...options, onLockout: (kind) => metrics.lockout(kind) });
  if (!options.redis) return { regulator: local };
  // One line per 10 s at most: an outage must not flood the log.
  let lastLogged = 0;
  const onError = (error: unknown) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn(
      { error: error instanceof Error ? error.message : String(error) },
      "regulation store unavailable; counting attempts on this replica only",
    );
  };
  const { openRegulationStore } = await import("../authn/regulation-store.js");
  const store = openRegulationStore(options.redis.url, onError);
  const regulator = sharedRegulation(store.run, {
    ...options,
    keyPrefix: options.redis.keyPrefix,
    timeoutMs: options.redis.timeoutMs,
    fallback: local,
    onLockout: (kind) => metrics.lockout(kind),
    onError,
  });
  return { regulator, store };
}

/**
 * Every route source, in precedence order (routing/route-sources.ts): the cluster's objects first, each for the
 * proxies it routes, then the configuration file's routes for every proxy.
 */
export function routeSources(config: Config, cluster: readonly RouteSource[] = []): readonly RouteSource[] {
  // Each kind of proxy reads wildcards its own way (routing/routes.ts): one table of configured routes per kind.
  const configured = (routes: RoutedBy, wildcards: WildcardLabels): RouteSource => {
    const table = routes === "caddy" ? caddyRouteTable(config.routes) : buildRouteTable(config.routes, wildcards);
    return {
      name: "configured routes",
      routes,
      match: (host, path) => matchRoute(table, host, path),
      servesHost: (host) => servesHost(table, host),
    };
  };
  return [...cluster, configured("ingress", "one"), configured("gateway", "any"), configured("caddy", "one")];
}
