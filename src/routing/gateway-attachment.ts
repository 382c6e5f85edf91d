/**
 * Which hostnames of an HTTPRoute a fronted Gateway actually serves. Pure.
 *
 * An HTTPRoute names its parents itself, so a tenant can attach one to any Gateway, or to none. It counts only
 * for a parentRef that names a Gateway rbac-gate fronts (configured by the platform admin), through listeners the
 * route may attach to (allowedRoutes.namespaces: Same, the default, or All; a Selector needs the namespace's
 * labels, which are not watched, so such a listener admits nothing here), and that the Gateway's controller
 * accepted (status.parents entry for that parentRef with Accepted=True). Of its hostnames, only those a listener's
 * hostname admits are served, as the Gateway API intersects them (a listener without hostname admits all;
 * "*.example.com" admits any name under example.com). Each served hostname is returned with the listeners it is
 * served through, so that a host whose listeners serve different routes can be refused: rbac-gate's one table
 * cannot tell which listener a request came through.
 */

export interface GatewayListener {
  readonly name: string;
  readonly port?: number;
  readonly hostname?: string;
  /** allowedRoutes.namespaces.from: "Same" (default), "All" or "Selector". */
  readonly allowedFrom?: string;
}

export interface GatewayObject {
  readonly namespace: string;
  readonly name: string;
  readonly listeners: readonly GatewayListener[];
}

export interface RouteParentRef {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export interface RouteParentStatus {
  readonly parentRef: RouteParentRef;
  readonly accepted: boolean;
}

export interface AttachableRoute {
  readonly namespace: string;
  readonly hostnames: readonly string[];
  readonly parentRefs: readonly RouteParentRef[];
  readonly parents: readonly RouteParentStatus[];
}

const GROUP = "gateway.networking.k8s.io";

const sameRef = (a: RouteParentRef, b: RouteParentRef, namespace: string) =>
  (a.group ?? GROUP) === (b.group ?? GROUP) &&
  (a.kind ?? "Gateway") === (b.kind ?? "Gateway") &&
  (a.namespace ?? namespace) === (b.namespace ?? namespace) &&
  a.name === b.name &&
  a.sectionName === b.sectionName &&
  a.port === b.port;

/** Whether hostname (exact or "*.d") lies within pattern (exact or "*.d"), Gateway API style. */
function within(hostname: string, pattern: string): boolean {
  if (hostname === pattern) return true;
  if (!pattern.startsWith("*.")) return false;
  return hostname.endsWith(pattern.slice(1));
}

/** The hostnames served for one route through one listener; "" stands for every host (the catch-all). */
export function intersectHostnames(routeHostnames: readonly string[], listenerHostname?: string): string[] {
  const lh = listenerHostname?.toLowerCase();
  const rhs = routeHostnames.map((h) => h.toLowerCase());
  if (lh === undefined || lh === "") return rhs.length > 0 ? rhs : [""];
  if (rhs.length === 0) return [lh];
  const out: string[] = [];
  for (const rh of rhs) {
    if (within(rh, lh)) out.push(rh);
    else if (within(lh, rh)) out.push(lh);
  }
  return out;
}

/**
 * The hostnames the fronted Gateways serve for this route, each with the listeners ("namespace/gateway/listener")
 * it is served through: empty when the route is attached to none of them.
 * @param gateways the fronted Gateways by "namespace/name".
 */
export function servedHostnames(
  route: AttachableRoute,
  gateways: ReadonlyMap<string, GatewayObject>,
): Map<string, Set<string>> {
  const served = new Map<string, Set<string>>();
  for (const ref of route.parentRefs) {
    if ((ref.group ?? GROUP) !== GROUP || (ref.kind ?? "Gateway") !== "Gateway") continue;
    const gatewayKey = `${ref.namespace ?? route.namespace}/${ref.name}`;
    const gateway = gateways.get(gatewayKey);
    if (gateway === undefined) continue;
    const accepted = route.parents.some((p) => p.accepted && sameRef(p.parentRef, ref, route.namespace));
    if (!accepted) continue;
    for (const listener of gateway.listeners) {
      if (ref.sectionName !== undefined && listener.name !== ref.sectionName) continue;
      if (ref.port !== undefined && listener.port !== ref.port) continue;
      const from = listener.allowedFrom ?? "Same";
      if (from === "Same" && route.namespace !== gateway.namespace) continue;
      if (from !== "Same" && from !== "All") continue;
      for (const h of intersectHostnames(route.hostnames, listener.hostname)) {
        const listeners = served.get(h) ?? new Set<string>();
        listeners.add(`${gatewayKey}/${listener.name}`);
        served.set(h, listeners);
      }
    }
  }
  return served;
}
