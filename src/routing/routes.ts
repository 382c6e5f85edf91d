/**
 * Routes and how a request finds its route. A table mirrors one proxy's own routing, because a decision is only
 * sound about the location that proxy will serve:
 *
 * Servers (the host picks one): an exact host first, then a wildcard, then the catch-all server of rules without
 * a host, used only when no other server has the host. How many labels a wildcard covers is the proxy's:
 * ingress-nginx renders "*.example.com" as `server_name ~^(?<subdomain>[\w-]+)\.example\.com$` (exactly one
 * label, template.go buildServerName); the Gateway API makes it a suffix match of any number of labels, the
 * longest wildcard winning.
 *
 * Locations (within the chosen server only), the way nginx picks them: an exact location (`location = /p`) first,
 * else the longest string-prefix location (`location /p`). Each path type becomes locations as ingress-nginx
 * renders it (internal/ingress/controller/controller.go updateServerLocations and normalizePrefixPath;
 * template.go buildLocation):
 *   - Exact "/p"                   → `location = /p`
 *   - Prefix "/p"                  → `location /p/` and `location = /p` (the exact one only when no Exact "/p"
 *                                    exists); Prefix "/p/" → `location /p/` and `location = /p/`, so "/p" itself
 *                                    is not covered; Prefix "/" → `location /`
 *   - ImplementationSpecific "/p"  → `location /p`: a plain string prefix, so it covers "/px" and "/p.php" too
 * Gateway API PathPrefix matches by whole elements with a trailing "/" ignored: "/p" and "/p/" both become
 * `= /p` and `/p/`. Two routes rendering the same location: the older wins when they have the same path type
 * (ingress-nginx keeps the first); otherwise nginx would refuse the configuration, so the location is denied.
 * A request that matches no location is denied.
 */
import type { AuthenticatorKind } from "../vocabulary/types.js";

/** Attributes of a SubjectAccessReview, with placeholders such as "{host}" in template mode. */
export interface AttributesTemplate {
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  readonly nonResourceAttributes?: Readonly<Record<string, string>>;
}

export type RouteAuthorization =
  | { readonly kind: "authenticated" }
  | { readonly kind: "users"; readonly users: ReadonlySet<string> }
  | { readonly kind: "subject-access-review"; readonly mapping: "host-path" | "service-proxy" }
  | { readonly kind: "subject-access-review"; readonly mapping: "template"; readonly template: AttributesTemplate };

/**
 * How a route's path matches: the Ingress path types as ingress-nginx renders them, and "PathPrefix", the Gateway
 * API's element-wise prefix.
 */
export type PathType = "Exact" | "Prefix" | "ImplementationSpecific" | "PathPrefix";

export interface Route {
  /** Where the route was defined, for logs: "routes[0]" or "ingress default/hello-app". */
  readonly source: string;
  /** Exact lower-case host, "*.<domain>", or "" for every host no other route names. */
  readonly host: string;
  /** The normalized path as written in the route; its meaning depends on pathType. */
  readonly path: string;
  readonly pathType: PathType;
  readonly authenticators: readonly AuthenticatorKind[];
  readonly realm: string;
  /** Key of the htpasswd source that basic credentials are checked against. */
  readonly htpasswd?: string;
  /** TokenReview audiences for bearer tokens; undefined means the configured default. */
  readonly audiences?: readonly string[];
  readonly authorization: RouteAuthorization;
  /**
   * Whether paths with ";" parameters are decided. Off by default: "/public/..;/admin" reaches the backend raw, and
   * servlet containers resolve it to "/admin" while nginx routed it as "/public/..;/admin".
   */
  readonly allowPathParameters?: boolean;
  /** Where the route came from in the cluster; never from the request. */
  readonly namespace?: string;
  /** The name of the Ingress or HTTPRoute the route comes from. */
  readonly objectName?: string;
  readonly service?: string;
  /** Set when the route's own definition is invalid: every request on it is denied with this reason. */
  readonly misconfiguration?: string;
}

/** How many labels "*.<domain>" covers: ingress-nginx's one, or the Gateway API's any (longest wins). */
export type WildcardLabels = "one" | "any";

/** One host's locations (an nginx server block; a Caddy site). */
export interface Server {
  readonly exact: ReadonlyMap<string, Route>;
  /** String-prefix locations, longest first. */
  readonly prefixes: ReadonlyArray<readonly [string, Route]>;
}

export interface RouteTable {
  readonly wildcardLabels: WildcardLabels;
  readonly exact: ReadonlyMap<string, Server>;
  readonly wildcard: ReadonlyMap<string, Server>;
  readonly catchAll: Server;
}

interface Location {
  readonly kind: "exact" | "prefix";
  readonly path: string;
  /** A location derived from a Prefix path gives way to an Exact path's location of the same path. */
  readonly derived?: boolean;
}

/** The nginx locations a route renders to (see the header). */
export function locationsOf(route: Pick<Route, "path" | "pathType">): readonly Location[] {
  const p = route.path;
  switch (route.pathType) {
    case "Exact":
      return [{ kind: "exact", path: p }];
    case "ImplementationSpecific":
      return [{ kind: "prefix", path: p }];
    case "Prefix":
      if (p === "/") return [{ kind: "prefix", path: "/" }];
      return [
        { kind: "prefix", path: p.endsWith("/") ? p : `${p}/` },
        { kind: "exact", path: p, derived: true },
      ];
    case "PathPrefix": {
      const base = p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
      if (base === "/") return [{ kind: "prefix", path: "/" }];
      return [
        { kind: "prefix", path: `${base}/` },
        { kind: "exact", path: base, derived: true },
      ];
    }
  }
}

const conflict = (kept: Route, other: Route): Route => ({
  ...kept,
  misconfiguration:
    kept.misconfiguration ??
    other.misconfiguration ??
    `${kept.source} and ${other.source} render the same nginx location`,
});

/**
 * Routes with the same key are the same path of the same type on the same host: the older route keeps it, the newer
 * is not rendered at all.
 */
export const matchKey = (route: Route): string =>
  `${route.host} ${route.pathType} ${
    route.pathType === "PathPrefix" && route.path.length > 1 ? route.path.replace(/\/$/, "") : route.path
  }`;

/**
 * Builds the lookup structure once, from routes listed oldest first (callers sort their objects by age, as
 * ingress-nginx and the Gateway API resolve conflicts).
 */
export function buildRouteTable(routes: readonly Route[], wildcardLabels: WildcardLabels = "one"): RouteTable {
  const servers = new Map<string, { exact: Map<string, Route>; prefixes: Map<string, Route> }>();
  const serverOf = (host: string) => {
    let s = servers.get(host);
    if (!s) {
      s = { exact: new Map(), prefixes: new Map() };
      servers.set(host, s);
    }
    return s;
  };
  const seen = new Set<string>();
  const kept = routes.filter((route) => {
    const key = matchKey(route);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Explicit locations first, so that a Prefix path's derived exact location gives way to an Exact path's.
  const all = kept.flatMap((route) => locationsOf(route).map((location) => ({ route, location })));
  all.sort((a, b) => Number(a.location.derived ?? false) - Number(b.location.derived ?? false));
  for (const { route, location } of all) {
    const server = serverOf(route.host);
    const map = location.kind === "exact" ? server.exact : server.prefixes;
    const first = map.get(location.path);
    if (first === undefined) map.set(location.path, route);
    else if (!location.derived && first !== route) map.set(location.path, conflict(first, route));
  }
  const exact = new Map<string, Server>();
  const wildcard = new Map<string, Server>();
  let catchAll: Server = { exact: new Map(), prefixes: [] };
  for (const [host, s] of servers) {
    const server: Server = {
      exact: s.exact,
      prefixes: [...s.prefixes].sort(([a], [b]) => b.length - a.length),
    };
    if (host === "") catchAll = server;
    else if (host.startsWith("*.")) wildcard.set(host.slice(2), server);
    else exact.set(host, server);
  }
  return { wildcardLabels, exact, wildcard, catchAll };
}

function serverFor(table: RouteTable, host: string): Server {
  const found = table.exact.get(host);
  if (found) return found;
  let dot = host.indexOf(".");
  if (table.wildcardLabels === "one") {
    return (dot === -1 ? undefined : table.wildcard.get(host.slice(dot + 1))) ?? table.catchAll;
  }
  // Longest suffix first: "*.b.example.com" beats "*.example.com" for "a.b.example.com".
  while (dot !== -1) {
    const server = table.wildcard.get(host.slice(dot + 1));
    if (server) return server;
    dot = host.indexOf(".", dot + 1);
  }
  return table.catchAll;
}

/** Whether the proxy has a server of its own for this host (an exact, wildcard or catch-all one with locations). */
export function servesHost(table: RouteTable, host: string): boolean {
  const server = serverFor(table, host);
  return server.exact.size > 0 || server.prefixes.length > 0;
}

/** The route of the location the proxy serves for this host and normalized path, if any. */
export function matchRoute(table: RouteTable, host: string, path: string): Route | undefined {
  const server = serverFor(table, host);
  const exact = server.exact.get(path);
  if (exact) return exact;
  for (const [prefix, route] of server.prefixes) if (path.startsWith(prefix)) return route;
  return undefined;
}
