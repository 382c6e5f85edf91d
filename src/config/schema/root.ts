/**
 * The whole file: one field per option area. The small areas (logLevel, realm, identityHeaders, audit, allowCache,
 * shutdownTimeout) are defined here; the others have a file of their own.
 */
import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { clientCertificates } from "./client-certificates.js";
import { htpasswd } from "./htpasswd.js";
import { kubernetes } from "./kubernetes.js";
import { choice, duration, integer, list, mapping, rule, type SchemaContext, text } from "./leaves.js";
import { grpc, health, listen, metrics } from "./listen.js";
import { regulation } from "./regulation.js";
import { realm, routes } from "./routes.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export const headerName = () => text("an HTTP header name", HEADER_NAME);
export const headerNames = () => list(headerName());

/** No header may carry both fields (rules.ts). */
export const identityHeaders = () =>
  mapping({
    user: headerNames().prefault([...DEFAULTS.identityHeaders.user]),
    groups: headerNames().prefault([...DEFAULTS.identityHeaders.groups]),
  }).prefault({});

const audit = () =>
  mapping({
    allowSampleRate: z
      .number(rule("a number from 0 to 1"))
      .min(0, rule("a number from 0 to 1"))
      .max(1, rule("a number from 0 to 1"))
      .prefault(DEFAULTS.audit.allowSampleRate),
  }).prefault({});

const allowCache = () =>
  mapping({
    ttl: duration().prefault(DEFAULTS.allowCache.ttl),
    maxEntries: integer(1, 100_000).prefault(DEFAULTS.allowCache.maxEntries),
  })
    .transform(({ ttl, maxEntries }) => ({ ttlMs: ttl, maxEntries }))
    .prefault({});

export const rootFields = (context: SchemaContext) => ({
  listen: listen(context),
  logLevel: choice(LOG_LEVELS, `one of ${LOG_LEVELS.join(", ")}`).prefault(DEFAULTS.logLevel),
  realm: realm().prefault(DEFAULTS.realm),
  identityHeaders: identityHeaders(),
  htpasswd: htpasswd(context),
  routes: routes(context),
  // `kubernetes:` with nothing under it is cluster mode with every default.
  kubernetes: z.preprocess((v) => v ?? {}, kubernetes(context)).optional(),
  grpc: grpc().optional(),
  metrics: metrics().optional(),
  health: health().optional(),
  regulation: regulation(),
  shutdownTimeout: duration().prefault(DEFAULTS.shutdownTimeout),
  audit: audit(),
  allowCache: allowCache(),
  clientCertificates: clientCertificates(context).optional(),
});

/** Options (the YAML as written) → the resolved Config, less the rules across areas (../rules.ts). */
export const configSchema = (context: SchemaContext) =>
  mapping(rootFields(context)).transform(
    ({ shutdownTimeout, routes, kubernetes, grpc, metrics, health, regulation, clientCertificates, ...o }) => ({
      listen: o.listen,
      ...(grpc === undefined ? {} : { grpc }),
      ...(metrics === undefined ? {} : { metrics }),
      ...(health === undefined ? {} : { health }),
      logLevel: o.logLevel,
      audit: o.audit,
      allowCache: o.allowCache,
      shutdownTimeoutMs: shutdownTimeout,
      realm: o.realm,
      identityHeaders: o.identityHeaders,
      htpasswd: o.htpasswd,
      routes: routes.map((r) => ({ ...r, realm: r.realm ?? o.realm })),
      ...(regulation === undefined ? {} : { regulation }),
      ...(kubernetes === undefined ? {} : { kubernetes }),
      ...(clientCertificates === undefined ? {} : { clientCertificates }),
    }),
  );

/** The configuration file as a user writes it. */
export type Options = z.input<ReturnType<typeof configSchema>>;
