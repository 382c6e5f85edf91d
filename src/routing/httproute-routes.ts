/**
 * Gateway API HTTPRoutes (gateway.networking.k8s.io/v1) → routes, with the same meaning as Ingresses. Pure: the
 * kube adapter hands in plain objects.
 *
 * - Only what a fronted Gateway serves: a route attached to no fronted Gateway, not accepted, or not admitted by
 *   a listener makes no route at all, and of its hostnames only those a listener admits count
 *   (gateway-attachment.ts). A tenant's HTTPRoute attached to nothing decides nothing.
 * - hostnames: each exact or "*.domain" (a suffix of any number of labels, as the Gateway API specifies: the
 *   table is built with wildcardLabels "any"); none means every host (the catch-all).
 * - A rule's matches: Exact and PathPrefix paths (PathPrefix by whole path elements, as the Gateway API specifies);
 *   no match at all means PathPrefix "/". A RegularExpression path, or a match that also depends on headers, query
 *   parameters or the method, cannot be decided from the path alone: that route stays and is denied, so its
 *   requests never fall through to a broader route (a path that cannot be read as written is denied as "/").
 * - The namespace is the HTTPRoute's; the backend Service is the rule's backendRef of kind Service in that
 *   namespace. service-proxy authorization needs exactly one such Service per rule (a split across Services,
 *   or a backend in another namespace, is denied rather than authorized against one of them).
 * - Conflicts: the older HTTPRoute (creationTimestamp, then namespace/name) wins, as the Gateway API specifies.
 * - Per-route settings come from the same rbac-gate.io/* annotations as on an Ingress.
 */

import {
  type GatewayObject,
  type RouteParentRef,
  type RouteParentStatus,
  servedHostnames,
} from "./gateway-attachment.js";
import { byAge, type ClusterRouteList, clusterRoute, readRouteHost, readRoutePath } from "./object-route.js";
import { type IngressDefaults, readIngressAnnotations } from "./route-annotations.js";
import type { PathType, Route } from "./routes.js";

export interface HTTPRouteMatch {
  readonly path?: { readonly type?: string; readonly value?: string };
  /** Whether the match also depends on headers, query parameters or the method. */
  readonly conditional?: boolean;
}

export interface HTTPRouteBackendRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface HTTPRouteObject {
  readonly namespace: string;
  readonly name: string;
  readonly creationTimestamp?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly hostnames: readonly string[];
  readonly parentRefs: readonly RouteParentRef[];
  /** status.parents, reduced to whether each parent accepted the route. */
  readonly parents: readonly RouteParentStatus[];
  readonly rules: ReadonlyArray<{
    readonly matches?: readonly HTTPRouteMatch[];
    readonly backendRefs?: readonly HTTPRouteBackendRef[];
  }>;
}

export type HTTPRouteRoutes = ClusterRouteList;

export function routesFromHTTPRoutes(
  httpRoutes: readonly HTTPRouteObject[],
  defaults: IngressDefaults,
  gateways: ReadonlyMap<string, GatewayObject>,
): HTTPRouteRoutes {
  const routes: Route[] = [];
  const skipped: string[] = [];
  /** For each host, which HTTPRoutes each listener serves it with. */
  const byListener = new Map<string, Map<string, Set<string>>>();
  for (const object of [...httpRoutes].sort(byAge("gateway-api"))) {
    const source = `httproute ${object.namespace}/${object.name}`;
    const settings = readIngressAnnotations(object.namespace, object.annotations, defaults);
    const hosts: string[] = [];
    for (const [hostname, listeners] of servedHostnames(object, gateways)) {
      const host = readRouteHost(hostname);
      if (!host.ok) {
        skipped.push(`${source} has hostname "${hostname}": ${host.error}`);
        continue;
      }
      hosts.push(host.value);
      const perListener = byListener.get(host.value) ?? new Map<string, Set<string>>();
      for (const listener of listeners) perListener.set(listener, (perListener.get(listener) ?? new Set()).add(source));
      byListener.set(host.value, perListener);
    }
    for (const rule of object.rules) {
      const backend = backendService(object.namespace, rule.backendRefs ?? []);
      const serviceProxy =
        settings.authorization.kind === "subject-access-review" && settings.authorization.mapping === "service-proxy";
      for (const match of rule.matches && rule.matches.length > 0 ? rule.matches : [{}]) {
        const { path, pathType, problem } = readMatch(match);
        for (const host of hosts) {
          const place = {
            source,
            namespace: object.namespace,
            name: object.name,
            host,
            path,
            pathType,
            ...(backend.service === undefined ? {} : { service: backend.service }),
          };
          routes.push(clusterRoute(settings, place, problem ?? (serviceProxy ? backend.problem : undefined)));
        }
      }
    }
  }
  // One table serves every fronted listener: a host that two listeners serve with different HTTPRoutes could be
  // decided by a route its listener does not have, so it is refused.
  const split = new Set(
    [...byListener]
      .filter(([, perListener]) => new Set([...perListener.values()].map((s) => [...s].sort().join(","))).size > 1)
      .map(([host]) => host),
  );
  return {
    routes: routes.map((r) =>
      split.has(r.host) && r.misconfiguration === undefined
        ? {
            ...r,
            misconfiguration: `${r.source}: host "${r.host || "*"}" is served by several listeners with different HTTPRoutes`,
          }
        : r,
    ),
    skipped,
  };
}

function readMatch(match: HTTPRouteMatch): { path: string; pathType: PathType; problem?: string } {
  const type = match.path?.type ?? "PathPrefix";
  const raw = match.path?.value ?? "/";
  // A path that cannot be matched as written could cover any path of the host: the denial covers them all.
  if (type !== "Exact" && type !== "PathPrefix") {
    return { path: "/", pathType: "PathPrefix", problem: `${type} path matches are not supported` };
  }
  const path = readRoutePath(raw, type === "Exact" ? "Exact" : "PathPrefix");
  if (!path.ok) return { path: "/", pathType: "PathPrefix", problem: path.error };
  return match.conditional
    ? { ...path.value, problem: "matches on headers, query parameters or method are not supported" }
    : path.value;
}

/** The one Service in the route's own namespace that the rule sends to, or why there is none. */
function backendService(
  namespace: string,
  refs: readonly HTTPRouteBackendRef[],
): { service?: string; problem?: string } {
  const services = new Set<string>();
  for (const ref of refs) {
    if ((ref.group ?? "") !== "" || (ref.kind ?? "Service") !== "Service") {
      return { problem: `backendRef ${ref.kind}/${ref.name} is not a Service` };
    }
    if (ref.namespace !== undefined && ref.namespace !== namespace) {
      return { problem: `backendRef ${ref.namespace}/${ref.name} is in another namespace` };
    }
    services.add(ref.name);
  }
  // No Service at all is clusterRoute's own check, as for an Ingress.
  if (services.size === 0) return {};
  if (services.size > 1) return { problem: "service-proxy authorization needs one Service per rule, not a split" };
  return { service: [...services][0] as string };
}
