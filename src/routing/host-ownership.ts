/**
 * Host ownership across namespaces. Pure.
 *
 * ingress-nginx merges every served Ingress that names a host into one server, and a Gateway merges HTTPRoutes
 * the same way, so a tenant can add a longer path to another namespace's host and have the proxy send it to the
 * tenant's own backend. With "oldest-namespace", the namespace of the oldest route naming a host owns it: routes
 * of other namespaces on that host are denied, so every request the proxy serves on the host is either decided by
 * the owner's policy for the owner's backend, or refused. "shared" keeps the proxies' merging (for clusters where
 * namespaces are trusted to share hosts). Routes without a namespace (the configuration's) are the platform
 * admin's and never lose or take ownership.
 */
import type { Route } from "./routes.js";

export type HostOwnership = "oldest-namespace" | "shared";

/** @param routes oldest first, as the route builders list them. */
export function applyHostOwnership(routes: readonly Route[], ownership: HostOwnership): readonly Route[] {
  if (ownership === "shared") return routes;
  const owners = new Map<string, string>();
  return routes.map((route) => {
    if (route.namespace === undefined) return route;
    const owner = owners.get(route.host);
    if (owner === undefined) {
      owners.set(route.host, route.namespace);
      return route;
    }
    if (owner === route.namespace || route.misconfiguration !== undefined) return route;
    return {
      ...route,
      misconfiguration: `${route.source}: host "${route.host || "*"}" belongs to namespace ${owner}, whose route for it is older`,
    };
  });
}
