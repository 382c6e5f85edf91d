/**
 * Configured routes as Caddy compares them. Pure.
 *
 * Caddy lower-cases its path matchers' patterns (MatchPath.Provision) and the request's path alike, so the Caddy
 * endpoint's table holds each route under its lower-cased path, and is asked with the readings of
 * request/dialects/caddy-paths.ts. Hosts are lower-case already; a wildcard covers one label, as Caddy's host
 * matcher splits on dots. A route path with a non-ASCII capital letter, which Caddy would fold by its own Unicode
 * tables, is denied rather than folded by another.
 */
import { foldCaddyCase } from "../request/dialects/caddy-paths.js";
import type { Route } from "./routes.js";

export function caddyRoutes(routes: readonly Route[]): Route[] {
  return routes.map((route) => {
    const path = foldCaddyCase(route.path);
    if (path === undefined) {
      return {
        ...route,
        misconfiguration:
          route.misconfiguration ?? "path has a non-ASCII capital letter, which Caddy folds by its own tables",
      };
    }
    return path === route.path ? route : { ...route, path };
  });
}
