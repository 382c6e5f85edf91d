/**
 * The dialects rbac-gate speaks, one entry each: the HTTP app serves an endpoint per entry and the composition
 * root builds a gate per entry, so a new proxy is one dialect file plus one line here.
 */
import type { Dialect } from "./dialect.js";
import { EXT_AUTHZ_PREFIX, envoyExtAuthz } from "./envoy.js";
import { ingressNginx } from "./ingress-nginx.js";
import { traefikForwardAuth } from "./traefik.js";

/** Which objects route a proxy's requests: Ingresses (ingress-nginx) or Gateway API routes (the Gateways). */
export type RoutedBy = "ingress" | "gateway";

export interface DialectEntry {
  /** Label in logs and metrics. */
  readonly name: string;
  /** The endpoint's path. */
  readonly path: string;
  /** Whether the original path follows the endpoint's path (Envoy's path_prefix) instead of ending it. */
  readonly pathIsPrefix: boolean;
  readonly read: Dialect;
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
    bodyReachesClient: false,
    routedBy: "ingress",
  },
  {
    name: "traefik",
    path: "/forward-auth",
    pathIsPrefix: false,
    read: traefikForwardAuth,
    bodyReachesClient: true,
    routedBy: "gateway",
  },
  {
    name: "envoy",
    path: EXT_AUTHZ_PREFIX,
    pathIsPrefix: true,
    read: envoyExtAuthz,
    bodyReachesClient: true,
    routedBy: "gateway",
  },
]);
