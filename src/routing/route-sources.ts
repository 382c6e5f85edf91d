/**
 * Where routes come from, as a list, and the one place that says which source wins. Pure.
 *
 * A source routes one kind of proxy (the Ingresses for ingress-nginx, HTTPRoutes for the Gateways) or every kind
 * (the configuration file's routes). For a request of a proxy, the sources that route that kind of proxy are asked
 * in list order and the first match wins: the composition root lists the cluster's sources before the configured
 * routes, so in a cluster the cluster's objects are the source of truth and configured routes fill in.
 */
import type { RoutedBy } from "../request/dialects/table.js";
import type { OriginalRequest } from "../vocabulary/types.js";
import type { Route } from "./routes.js";

export interface RouteSource {
  /** For logs and explain: "ingresses", "httproutes", "configured routes". */
  readonly name: string;
  readonly routes: RoutedBy | "every proxy";
  match(host: string, path: string): Route | undefined;
}

export type RouteResolver = (request: Pick<OriginalRequest, "host" | "path">) => Route | undefined;

export function routeResolver(sources: readonly RouteSource[], proxy: RoutedBy): RouteResolver {
  const asked = sources.filter((s) => s.routes === proxy || s.routes === "every proxy");
  return ({ host, path }) => {
    for (const source of asked) {
      const route = source.match(host, path);
      if (route) return route;
    }
    return undefined;
  };
}
