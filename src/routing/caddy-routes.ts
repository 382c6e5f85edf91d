/**
 * Configured routes as Caddy compares them. Pure.
 *
 * Caddy lower-cases its path matchers' patterns (MatchPath.Provision) and the request's path alike, so the Caddy
 * endpoint's table holds each route under its lower-cased path, and is asked with the readings of
 * request/dialects/caddy-paths.ts. Hosts are lower-case already; a wildcard covers one label, as Caddy's host
 * matcher splits on dots. A route path with a non-ASCII capital letter, which Caddy would fold by its own Unicode
 * tables, is denied rather than folded by another.
 *
 * Which handle wins: Caddy sorts a site's `handle` blocks by their one path pattern. Caddy 2.7 and later sort by
 * the pattern's length without its trailing "*", an exact pattern before a wildcard one of the same path — the
 * table's own rule (an exact location first, then the longest prefix). Caddy 2.6 sorts by the raw length, "*"
 * included, in written order on a tie: there `handle /admin*` comes before `handle /admin`, and `handle /ab/*`
 * ties with `handle /ab/x`. So an exact location that a prefix location of another route covers with a pattern
 * at least as long (the prefix's length + 1 ≥ the exact path's) may be served by either route, depending on the
 * version and the Caddyfile's order: it is denied. A route of path "/" mirrors a `handle` without a path, which
 * every version sorts last.
 */
import { foldCaddyCase } from "../request/dialects/caddy-paths.js";
import { buildRouteTable, type Route, type RouteTable, type Server } from "./routes.js";

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

/** The Caddy endpoint's table: configured routes as Caddy compares them, exact locations Caddy 2.6 sorts otherwise denied. */
export function caddyRouteTable(routes: readonly Route[]): RouteTable {
  const table = buildRouteTable(caddyRoutes(routes), "one");
  const settle = (server: Server): Server => {
    const exact = new Map(server.exact);
    for (const [path, route] of server.exact) {
      // "/" mirrors a `handle` without a path, which every version sorts last.
      const rival = server.prefixes.find(
        ([prefix, other]) =>
          other !== route && prefix !== "/" && path.startsWith(prefix) && prefix.length + 1 >= path.length,
      );
      if (rival) {
        exact.set(path, {
          ...route,
          misconfiguration:
            route.misconfiguration ??
            `Caddy 2.6 sorts the handle of ${rival[1].source} (${rival[0]}*) before this exact path: which serves it depends on the version`,
        });
      }
    }
    return { exact, prefixes: server.prefixes };
  };
  return {
    wildcardLabels: table.wildcardLabels,
    exact: new Map([...table.exact].map(([host, server]) => [host, settle(server)])),
    wildcard: new Map([...table.wildcard].map(([host, server]) => [host, settle(server)])),
    catchAll: settle(table.catchAll),
  };
}
