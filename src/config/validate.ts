/**
 * Options (the YAML as written) → Config (complete, validated, frozen). Every problem is collected and reported
 * at once, one line each, naming where: `routes[2].host has "Foo_bar": it must be ...`.
 */
import { resolve } from "node:path";
import { DEFAULT_HASH_LIMITS, type HashLimits } from "../authn/htpasswd/schemes.js";
import { normalizeHost, normalizePath } from "../core/normalize.js";
import { fail, ok, type Result } from "../core/result.js";
import type { Route, RouteAuthorization } from "../core/routes.js";
import type { AuthenticatorKind } from "../core/types.js";
import { type Config, deepFreeze, type HashingOptions, type HtpasswdFileSource } from "./config.js";
import {
  checkKnownFields,
  type Problems,
  readBoolean,
  readDuration,
  readInteger,
  readList,
  readObject,
  readString,
} from "./fields.js";
import { readKubernetes } from "./kubernetes.js";

export const DEFAULTS = Object.freeze({
  address: "127.0.0.1",
  port: 8080,
  logLevel: "info",
  realm: "rbac-gate",
  userHeaders: ["X-Auth-Request-User", "X-Remote-User"],
  groupHeaders: ["X-Auth-Request-Groups", "X-Remote-Group"],
  passwordCacheTtlMs: 5 * 60_000,
  passwordCacheMaxEntries: 10_000,
});

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const SOURCE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const REALM = /^[\x20-\x7e]{1,128}$/;
const ADDRESS = /^[0-9a-fA-F.:]+$|^localhost$/;
const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * @param options the parsed YAML document
 * @param baseDir folder that relative file paths are resolved against (the config file's folder)
 */
export function resolveConfig(options: unknown, baseDir: string): Result<Config, readonly string[]> {
  const problems: Problems = [];
  const root = readObject(problems, "configuration", options ?? {}) ?? {};
  checkKnownFields(problems, "configuration", root, [
    "listen",
    "logLevel",
    "realm",
    "identityHeaders",
    "htpasswd",
    "routes",
    "kubernetes",
    "metrics",
    "regulation",
    "shutdownTimeout",
    "audit",
  ]);

  const listenOpts = readObject(problems, "listen", root.listen) ?? {};
  checkKnownFields(problems, "listen", listenOpts, ["address", "port", "tls"]);
  const tlsOpts = readObject(problems, "listen.tls", listenOpts.tls);
  let tls: Config["listen"]["tls"];
  if (tlsOpts) {
    checkKnownFields(problems, "listen.tls", tlsOpts, ["certFile", "keyFile"]);
    const certFile = readString(problems, "listen.tls.certFile", tlsOpts.certFile, {
      required: true,
      describe: "a PEM file",
    });
    const keyFile = readString(problems, "listen.tls.keyFile", tlsOpts.keyFile, {
      required: true,
      describe: "a PEM file",
    });
    if (certFile && keyFile) tls = { certFile: resolve(baseDir, certFile), keyFile: resolve(baseDir, keyFile) };
  }
  const address =
    readString(problems, "listen.address", listenOpts.address, { pattern: ADDRESS, describe: "an IP address" }) ??
    DEFAULTS.address;
  const port = readInteger(problems, "listen.port", listenOpts.port, 1, 65535) ?? DEFAULTS.port;

  const metricsOpts = readObject(problems, "metrics", root.metrics);
  let metrics: Config["metrics"];
  if (metricsOpts) {
    checkKnownFields(problems, "metrics", metricsOpts, ["address", "port"]);
    const metricsPort = readInteger(problems, "metrics.port", metricsOpts.port, 1, 65535);
    if (metricsPort === undefined && metricsOpts.port === undefined)
      problems.push("metrics.port is missing: it must be a port number");
    if (metricsPort !== undefined && metricsPort === port) {
      problems.push(`metrics.port has ${metricsPort}: it must differ from listen.port`);
    }
    const metricsAddress =
      readString(problems, "metrics.address", metricsOpts.address, { pattern: ADDRESS, describe: "an IP address" }) ??
      DEFAULTS.address;
    if (metricsPort !== undefined) metrics = { address: metricsAddress, port: metricsPort };
  }

  const logLevel =
    (readString(problems, "logLevel", root.logLevel, {
      pattern: /^(debug|info|warn|error)$/,
      describe: `one of ${LOG_LEVELS.join(", ")}`,
    }) as Config["logLevel"] | undefined) ?? "info";

  const defaultRealm =
    readString(problems, "realm", root.realm, { pattern: REALM, describe: "printable ASCII, 1 to 128 characters" }) ??
    DEFAULTS.realm;

  const identityHeaders = readIdentityHeaders(problems, root.identityHeaders);
  const regulation = readRegulation(problems, root.regulation);
  const sourceNames = new Set<string>();
  const htpasswd = readHtpasswd(problems, root.htpasswd, baseDir, sourceNames);
  const kubernetes = readKubernetes(problems, root.kubernetes, (p) => resolve(baseDir, p));
  const routes = readRoutes(problems, root.routes, defaultRealm, sourceNames, kubernetes !== undefined);

  if (problems.length > 0) return fail(problems);
  return ok(
    deepFreeze<Config>({
      listen: { address, port, ...(tls === undefined ? {} : { tls }) },
      ...(metrics === undefined ? {} : { metrics }),
      logLevel,
      audit: readAudit(problems, root.audit),
      shutdownTimeoutMs: readDuration(problems, "shutdownTimeout", root.shutdownTimeout) ?? 20_000,
      realm: defaultRealm,
      identityHeaders,
      htpasswd,
      routes,
      ...(regulation === undefined ? {} : { regulation }),
      ...(kubernetes === undefined ? {} : { kubernetes }),
    }),
  );
}

function readHeaderNames(problems: Problems, subject: string, v: unknown, fallback: readonly string[]): string[] {
  const item = (s: string, x: unknown) =>
    readString(problems, s, x, { pattern: HEADER_NAME, describe: "an HTTP header name" });
  return readList(problems, subject, v, item) ?? [...fallback];
}

function readIdentityHeaders(problems: Problems, v: unknown): Config["identityHeaders"] {
  const opts = readObject(problems, "identityHeaders", v) ?? {};
  checkKnownFields(problems, "identityHeaders", opts, ["user", "groups"]);
  const user = readHeaderNames(problems, "identityHeaders.user", opts.user, DEFAULTS.userHeaders);
  const groups = readHeaderNames(problems, "identityHeaders.groups", opts.groups, DEFAULTS.groupHeaders);
  const seen = new Set<string>();
  for (const name of [...user, ...groups]) {
    const key = name.toLowerCase();
    if (seen.has(key)) problems.push(`identityHeaders has "${name}" twice: each header carries one field`);
    seen.add(key);
  }
  return { user, groups };
}

/** @param names receives every well-formed source name, so routes are checked against them even if a file entry has other problems. */
function readHtpasswd(problems: Problems, v: unknown, baseDir: string, names: Set<string>): Config["htpasswd"] {
  const opts = readObject(problems, "htpasswd", v) ?? {};
  checkKnownFields(problems, "htpasswd", opts, ["allowWeakSchemes", "limits", "hashing", "cache", "files"]);
  const allowWeakSchemes = readBoolean(problems, "htpasswd.allowWeakSchemes", opts.allowWeakSchemes) ?? true;
  const limits = readHashLimits(problems, opts.limits);
  const hashing = readHashing(problems, opts.hashing);
  const cacheOpts = readObject(problems, "htpasswd.cache", opts.cache) ?? {};
  checkKnownFields(problems, "htpasswd.cache", cacheOpts, ["ttl", "maxEntries"]);
  const cache = {
    ttlMs: readDuration(problems, "htpasswd.cache.ttl", cacheOpts.ttl) ?? DEFAULTS.passwordCacheTtlMs,
    maxEntries:
      readInteger(problems, "htpasswd.cache.maxEntries", cacheOpts.maxEntries, 1, 10_000_000) ??
      DEFAULTS.passwordCacheMaxEntries,
  };
  const files =
    readList(problems, "htpasswd.files", opts.files, (subject, x): HtpasswdFileSource | undefined => {
      const f = readObject(problems, subject, x, true);
      if (!f) return undefined;
      checkKnownFields(problems, subject, f, ["name", "path", "usernamePrefix", "groups"]);
      const name = readString(problems, `${subject}.name`, f.name, {
        required: true,
        pattern: SOURCE_NAME,
        describe: "a lower-case DNS label",
      });
      if (name !== undefined && names.has(name))
        problems.push(`${subject}.name has "${name}" again: names must be unique`);
      if (name !== undefined) names.add(name);
      const path = readString(problems, `${subject}.path`, f.path, { required: true, describe: "a file path" });
      const usernamePrefix =
        f.usernamePrefix === ""
          ? ""
          : readString(problems, `${subject}.usernamePrefix`, f.usernamePrefix, {
              pattern: /^[\x21-\x7e]{1,64}$/,
              describe: "visible ASCII without spaces",
            });
      const groups = readList(problems, `${subject}.groups`, f.groups, (s, g) =>
        readString(problems, s, g, { pattern: /^[\x21-\x7e]{1,253}$/, describe: "a group name" }),
      );
      if (name === undefined || path === undefined) return undefined;
      return { name, path: resolve(baseDir, path), usernamePrefix: usernamePrefix ?? "", groups: groups ?? [] };
    }) ?? [];
  return { allowWeakSchemes, limits, hashing, cache, files };
}

function readHashLimits(problems: Problems, v: unknown): HashLimits {
  const opts = readObject(problems, "htpasswd.limits", v) ?? {};
  const d = DEFAULT_HASH_LIMITS;
  checkKnownFields(problems, "htpasswd.limits", opts, Object.keys(d));
  const read = (field: keyof HashLimits, min: number, max: number) =>
    readInteger(problems, `htpasswd.limits.${field}`, opts[field], min, max) ?? d[field];
  return {
    // bcrypt's own range is 4..31; SHA-crypt's is 1,000..999,999,999.
    maxBcryptCost: read("maxBcryptCost", 4, 31),
    maxShaCryptRounds: read("maxShaCryptRounds", 1000, 999_999_999),
    maxLineBytes: read("maxLineBytes", 256, 1 << 20),
    maxPasswordBytes: read("maxPasswordBytes", 72, 1 << 16),
  };
}

/**
 * Two workers by default: the chart's pod requests about one core, and bcrypt 10 at ~70 ms each gives ~28 checks
 * a second. The deadline (5 s) sits far below ingress-nginx's 60 s auth timeout; the shares let a flood from one
 * user, address or source fill only its part of the queue.
 */
function readHashing(problems: Problems, v: unknown): HashingOptions {
  const opts = readObject(problems, "htpasswd.hashing", v) ?? {};
  const fields = [
    "workers",
    "deadline",
    "maxQueued",
    "maxPendingPerSource",
    "maxPendingPerAddress",
    "maxPendingPerUser",
  ];
  checkKnownFields(problems, "htpasswd.hashing", opts, fields);
  const int = (field: string, fallback: number, max: number) =>
    readInteger(problems, `htpasswd.hashing.${field}`, opts[field], 1, max) ?? fallback;
  const deadlineMs = readDuration(problems, "htpasswd.hashing.deadline", opts.deadline) ?? 5000;
  if (deadlineMs < 100 || deadlineMs > 30_000) {
    problems.push(
      `htpasswd.hashing.deadline has ${JSON.stringify(opts.deadline)}: it must be from 100ms to 30s, below the proxy's auth timeout`,
    );
  }
  return {
    workers: int("workers", 2, 64),
    deadlineMs,
    maxQueued: int("maxQueued", 512, 100_000),
    maxPendingPerSource: int("maxPendingPerSource", 128, 100_000),
    maxPendingPerAddress: int("maxPendingPerAddress", 32, 100_000),
    maxPendingPerUser: int("maxPendingPerUser", 8, 100_000),
  };
}

/** In cluster mode routes are optional (Ingresses provide them) and may accept bearer tokens. */
function readRoutes(
  problems: Problems,
  v: unknown,
  defaultRealm: string,
  sources: ReadonlySet<string>,
  cluster: boolean,
): Route[] {
  const seen = new Set<string>();
  const routes =
    readList(
      problems,
      "routes",
      v,
      (subject, x): Route | undefined => {
        const r = readObject(problems, subject, x, true);
        if (!r) return undefined;
        checkKnownFields(problems, subject, r, [
          "host",
          "path",
          "pathType",
          "pathParameters",
          "authenticators",
          "htpasswd",
          "realm",
          "allow",
        ]);
        const host = readRouteHost(problems, `${subject}.host`, r.host);
        const pathPrefix = readRoutePath(problems, `${subject}.path`, r.path);
        // The same location forms as an Ingress path of that type under ingress-nginx (core/routes.ts).
        const pathType =
          (readString(problems, `${subject}.pathType`, r.pathType, {
            pattern: /^(Exact|Prefix|ImplementationSpecific)$/,
            describe: '"Exact", "Prefix" or "ImplementationSpecific"',
          }) as "Exact" | "Prefix" | "ImplementationSpecific" | undefined) ?? "Prefix";
        const pathParameters =
          readString(problems, `${subject}.pathParameters`, r.pathParameters, {
            pattern: /^(deny|allow)$/,
            describe: '"deny" or "allow"',
          }) ?? "deny";
        const authenticators = readAuthenticators(problems, `${subject}.authenticators`, r.authenticators, cluster);
        const htpasswd = readString(problems, `${subject}.htpasswd`, r.htpasswd, { describe: "an htpasswd file name" });
        if (htpasswd !== undefined && !sources.has(htpasswd)) {
          problems.push(`${subject}.htpasswd has "${htpasswd}": it must name an entry of htpasswd.files`);
        }
        if (htpasswd === undefined && authenticators?.includes("basic")) {
          problems.push(`${subject}.htpasswd is missing: basic authentication needs an htpasswd file`);
        }
        const realm =
          readString(problems, `${subject}.realm`, r.realm, {
            pattern: REALM,
            describe: "printable ASCII, 1 to 128 characters",
          }) ?? defaultRealm;
        const authorization = readAllow(problems, `${subject}.allow`, r.allow);
        if (host === undefined || pathPrefix === undefined || !authenticators || !authorization) return undefined;
        const key = `${host} ${pathType} ${pathPrefix}`;
        if (seen.has(key))
          problems.push(
            `${subject} has host "${host}", path "${pathPrefix}" and pathType ${pathType} again: routes must differ`,
          );
        seen.add(key);
        return {
          source: subject,
          host,
          pathPrefix,
          pathType,
          ...(pathParameters === "allow" ? { allowPathParameters: true } : {}),
          authenticators,
          realm,
          authorization,
          ...(htpasswd === undefined ? {} : { htpasswd }),
        };
      },
      { required: !cluster, nonEmpty: !cluster },
    ) ?? [];
  return routes;
}

function readRouteHost(problems: Problems, subject: string, v: unknown): string | undefined {
  const describe = 'a lower-case DNS name without port, or "*." and a DNS name';
  const host = readString(problems, subject, v, { required: true, describe });
  if (host === undefined) return undefined;
  const name = host.startsWith("*.") ? host.slice(2) : host;
  const normalized = normalizeHost(name);
  if (!normalized.ok || normalized.value !== name || name.includes("*")) {
    problems.push(`${subject} has "${host}": it must be ${describe}`);
    return undefined;
  }
  return host;
}

function readRoutePath(problems: Problems, subject: string, v: unknown): string | undefined {
  if (v === undefined) return "/";
  const describe = 'a normalized path prefix such as "/" or "/api"';
  const path = readString(problems, subject, v, { describe });
  if (path === undefined) return undefined;
  const normalized = normalizePath(path);
  if (!normalized.ok || normalized.value !== path || (path !== "/" && path.endsWith("/")) || path.includes("?")) {
    problems.push(`${subject} has "${path}": it must be ${describe}`);
    return undefined;
  }
  return path;
}

function readAuthenticators(
  problems: Problems,
  subject: string,
  v: unknown,
  cluster: boolean,
): AuthenticatorKind[] | undefined {
  if (v === undefined) return ["basic"];
  const kinds = readList(
    problems,
    subject,
    v,
    (s, x) => {
      if (x === "basic") return "basic" as const;
      if (x === "bearer" && cluster) return "bearer" as const;
      if (x === "bearer") {
        problems.push(`${s} has "bearer": bearer tokens are verified by TokenReview, which needs a cluster`);
        return undefined;
      }
      problems.push(`${s} has ${JSON.stringify(x)}: it must be ${cluster ? '"basic" or "bearer"' : '"basic"'}`);
      return undefined;
    },
    { nonEmpty: true },
  );
  if (kinds && new Set(kinds).size !== kinds.length) {
    problems.push(`${subject} has a repeated entry: list each authenticator once`);
    return undefined;
  }
  return kinds;
}

function readAllow(problems: Problems, subject: string, v: unknown): RouteAuthorization | undefined {
  const rule = "it must be either {authenticated: true} or {users: [names]}";
  const allow = readObject(problems, subject, v, true);
  if (!allow) return undefined;
  checkKnownFields(problems, subject, allow, ["authenticated", "users"]);
  if (allow.authenticated !== undefined && allow.users !== undefined) {
    problems.push(`${subject} has both authenticated and users: ${rule}`);
    return undefined;
  }
  if (allow.authenticated !== undefined) {
    if (allow.authenticated !== true) {
      problems.push(`${subject}.authenticated has ${JSON.stringify(allow.authenticated)}: ${rule}`);
      return undefined;
    }
    return { kind: "authenticated" };
  }
  const users = readList(
    problems,
    `${subject}.users`,
    allow.users,
    (s, x) => readString(problems, s, x, { describe: "a user name" }),
    { required: true, nonEmpty: true },
  );
  return users ? { kind: "users", users: new Set(users) } : undefined;
}

/** On by default: failed Basic attempts per user and per client address lead to a temporary lockout. */
function readRegulation(problems: Problems, v: unknown): Config["regulation"] {
  const r = readObject(problems, "regulation", v) ?? {};
  checkKnownFields(problems, "regulation", r, [
    "enabled",
    "window",
    "lockout",
    "maxFailuresPerUser",
    "maxFailuresPerAddress",
    "maxEntries",
    "redis",
  ]);
  const enabled = readBoolean(problems, "regulation.enabled", r.enabled) ?? true;
  const redis = readRedis(problems, r.redis);
  const settings = {
    windowMs: readDuration(problems, "regulation.window", r.window) ?? 120_000,
    lockoutMs: readDuration(problems, "regulation.lockout", r.lockout) ?? 300_000,
    maxFailuresPerUser: readInteger(problems, "regulation.maxFailuresPerUser", r.maxFailuresPerUser, 1, 1000) ?? 5,
    maxFailuresPerAddress:
      readInteger(problems, "regulation.maxFailuresPerAddress", r.maxFailuresPerAddress, 1, 100_000) ?? 50,
    maxEntries: readInteger(problems, "regulation.maxEntries", r.maxEntries, 100, 10_000_000) ?? 100_000,
    ...(redis === undefined ? {} : { redis }),
  };
  return enabled ? settings : undefined;
}

/** Off by default: without it each replica counts alone, and N replicas give an attacker N times the limits. */
function readRedis(problems: Problems, v: unknown): NonNullable<Config["regulation"]>["redis"] {
  const opts = readObject(problems, "regulation.redis", v);
  if (opts === undefined) return undefined;
  checkKnownFields(problems, "regulation.redis", opts, ["url", "keyPrefix", "timeout"]);
  const url = readString(problems, "regulation.redis.url", opts.url, {
    required: true,
    pattern: /^rediss?:\/\/[^\s]+$/,
    describe: "a redis:// or rediss:// URL",
  });
  const keyPrefix =
    readString(problems, "regulation.redis.keyPrefix", opts.keyPrefix, {
      pattern: /^[\x21-\x7e]{1,64}$/,
      describe: "visible ASCII without spaces",
    }) ?? "rbac-gate:regulation:";
  const timeoutMs = readDuration(problems, "regulation.redis.timeout", opts.timeout) ?? 500;
  return url === undefined ? undefined : { url, keyPrefix, timeoutMs };
}

function readAudit(problems: Problems, v: unknown): Config["audit"] {
  const a = readObject(problems, "audit", v) ?? {};
  checkKnownFields(problems, "audit", a, ["allowSampleRate"]);
  const rate = a.allowSampleRate;
  if (rate !== undefined && (typeof rate !== "number" || rate < 0 || rate > 1)) {
    problems.push(`audit.allowSampleRate has ${JSON.stringify(rate)}: it must be a number from 0 to 1`);
    return { allowSampleRate: 1 };
  }
  return { allowSampleRate: (rate as number | undefined) ?? 1 };
}
