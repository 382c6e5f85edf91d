/**
 * `listen:` (where /auth is served), `grpc:` (where Envoy's gRPC ext_authz is served, if anywhere), `metrics:` (where GET /metrics is served, if anywhere) and `health:` (where a
 * thread of its own answers /healthz and /readyz, if anywhere).
 */
import { DEFAULTS } from "../defaults.js";
import { duration, integer, mapping, type SchemaContext, text } from "./leaves.js";

export const ADDRESS = /^[0-9a-fA-F.:]+$|^localhost$/;
export const address = () => text("an IP address", ADDRESS);
export const port = () => integer(1, 65535);

export const listen = (context: SchemaContext) =>
  mapping({
    address: address().prefault(DEFAULTS.listen.address),
    port: port().prefault(DEFAULTS.listen.port),
    /** Serve /auth over HTTPS with this certificate and key (PEM files). */
    tls: mapping({ certFile: text("a PEM file"), keyFile: text("a PEM file") })
      .transform((tls) => ({ certFile: context.resolvePath(tls.certFile), keyFile: context.resolvePath(tls.keyFile) }))
      .optional(),
  })
    .transform(({ tls, ...rest }) => ({ ...rest, ...(tls === undefined ? {} : { tls }) }))
    .prefault({});

/** Where Envoy's gRPC ext_authz is served (h2c). Must differ from the other ports (rules.ts). */
export const grpc = () =>
  mapping({
    address: address().prefault(DEFAULTS.grpc.address),
    port: port(),
  });

/** Must differ from listen.port (rules.ts). */
export const metrics = () =>
  mapping({
    address: address().prefault(DEFAULTS.metrics.address),
    port: port(),
  });

/** Must differ from listen.port and metrics.port (rules.ts). */
export const health = () =>
  mapping({
    address: address().prefault(DEFAULTS.health.address),
    port: port(),
    staleAfter: duration().prefault(DEFAULTS.health.staleAfter),
  }).transform(({ staleAfter, ...rest }) => ({ ...rest, staleAfterMs: staleAfter }));
