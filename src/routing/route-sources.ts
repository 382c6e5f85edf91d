/**
 * Where routes come from, as a list, and the one place that says which source wins. Pure.
 *
 * A source routes one kind of proxy (the Ingresses for ingress-nginx, HTTPRoutes for the Gateways, the
 * configuration file's routes for either). For a request of a proxy, the sources that route that kind of proxy are
 * asked in list order, and the first source that has a server for the host decides, whether or not one of its
 * locations matches: a host the cluster serves is never decided by a configured route. The composition root lists
 * the cluster's sources before the configured routes, so configured routes fill in for hosts the cluster has not.
 */
import type { RoutedBy } from "../request/dialects/table.js";
import type { OriginalRequest } from "../vocabulary/types.js";
import type { Route } from "./routes.js";

export interface RouteSource {
  /** For logs and explain: "ingresses", "httproutes", "configured routes". */
  readonly name: string;
  readonly routes: RoutedBy;
  match(host: string, path: string): Route | undefined;
  /** Whether the source has a server for the host (then it alone decides the host's paths). */
  servesHost(host: string): boolean;
}

/** The readings of a request's path found different routes (or a route and none): no route decides it. */
export interface AmbiguousRoute {
  readonly ambiguous: string;
}

export type RouteResolver = (
  request: Pick<OriginalRequest, "host" | "path" | "routingPaths">,
) => Route | AmbiguousRoute | undefined;

export function routeResolver(sources: readonly RouteSource[], proxy: RoutedBy): RouteResolver {
  const asked = sources.filter((s) => s.routes === proxy);
  const resolve = (host: string, path: string): Route | undefined => {
    for (const source of asked) {
      const route = source.match(host, path);
      if (route || source.servesHost(host)) return route;
    }
    return undefined;
  };
  return ({ host, path, routingPaths }) => {
    if (routingPaths === undefined) return resolve(host, path);
    const [first, ...others] = routingPaths.map((reading) => ({ reading, route: resolve(host, reading) }));
    if (first === undefined) return undefined;
    const other = others.find((o) => o.route !== first.route);
    if (other === undefined) return first.route;
    const name = (route?: Route) => route?.source ?? "no route";
    return {
      ambiguous: `the proxy may route this path as ${first.reading} (${name(first.route)}) or as ${other.reading} (${name(other.route)})`,
    };
  };
}
