/**
 * The dialects rbac-gate speaks, one entry each: the HTTP app serves an endpoint per entry and the composition
 * root builds a gate per entry, so a new proxy is one dialect file plus one line here.
 */
import type { CertificateReader } from "../client-certificate.js";
import { CADDY_PATH, caddyClientCertificate, caddyForwardAuth } from "./caddy.js";
import type { Dialect } from "./dialect.js";
import { EXT_AUTHZ_PREFIX, envoyClientCertificate, envoyExtAuthz } from "./envoy.js";
import { ingressNginx, ingressNginxClientCertificate } from "./ingress-nginx.js";
import { traefikClientCertificate, traefikForwardAuth } from "./traefik.js";

/**
 * Which routes a proxy's requests are decided by: Ingresses (ingress-nginx), Gateway API routes (the Gateways),
 * or, for Caddy, whose routes live in its Caddyfile, the configuration file's routes alone, as Caddy matches them.
 * Configured routes fill in for every kind.
 */
export type RoutedBy = "ingress" | "gateway" | "caddy";

export interface DialectEntry {
  /** Label in logs and metrics. */
  readonly name: string;
  /** The endpoint's path. */
  readonly path: string;
  /** Whether the original path follows the endpoint's path (Envoy's path_prefix) instead of ending it. */
  readonly pathIsPrefix: boolean;
  readonly read: Dialect;
  /** Reads the client certificate from the one header this proxy sets itself (never from the client's others). */
  readonly clientCertificate: CertificateReader;
  /** Whether the proxy hands a 403's body to the client (then it names no reason). */
  readonly bodyReachesClient: boolean;
  readonly routedBy: RoutedBy;
}

export const DIALECTS: readonly DialectEntry[] = Object.freeze([
  {
    name: "ingress-nginx",
    path: "/auth",
    pathIsPrefix: false,
    read: ingressNginx,
    clientCertificate: ingressNginxClientCertificate,
    bodyReachesClient: false,
    routedBy: "ingress",
  },
  {
    name: "traefik",
    path: "/forward-auth",
    pathIsPrefix: false,
    read: traefikForwardAuth,
    clientCertificate: traefikClientCertificate,
    bodyReachesClient: true,
    routedBy: "gateway",
  },
  {
    name: "envoy",
    path: EXT_AUTHZ_PREFIX,
    pathIsPrefix: true,
    read: envoyExtAuthz,
    clientCertificate: envoyClientCertificate,
    bodyReachesClient: true,
    routedBy: "gateway",
  },
  {
    name: "caddy",
    path: CADDY_PATH,
    pathIsPrefix: false,
    read: caddyForwardAuth,
    clientCertificate: caddyClientCertificate,
    bodyReachesClient: true,
    routedBy: "caddy",
  },
]);
