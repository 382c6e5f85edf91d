/**
 * Routes and how a request finds its route, matching the way ingress-nginx renders Ingress rules into nginx:
 * the host picks the server (an exact host beats "*.example.com", which covers exactly one more label; rules
 * without a host form the catch-all server used only when no other server has the host), then the path picks
 * the location within that server only: an Exact path first, then the longest Prefix by whole path elements
 * ("/api" covers "/api" and "/api/x", not "/apix"). A request that matches no route is denied.
 */
import type { AuthenticatorKind } from "./types.js";

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

export type PathType = "Exact" | "Prefix";

export interface Route {
  /** Where the route was defined, for logs: "routes[0]" or "ingress default/hello-app". */
  readonly source: string;
  /** Exact lower-case host, "*.<domain>", or "" for every host no other route names. */
  readonly host: string;
  /** Normalized path, without trailing slash except for "/". */
  readonly pathPrefix: string;
  readonly pathType: PathType;
  readonly authenticators: readonly AuthenticatorKind[];
  readonly realm: string;
  /** Key of the htpasswd source that basic credentials are checked against. */
  readonly htpasswd?: string;
  /** TokenReview audiences for bearer tokens; undefined means the configured default. */
  readonly audiences?: readonly string[];
  readonly authorization: RouteAuthorization;
  /** Where the route came from in the cluster; never from the request. */
  readonly namespace?: string;
  readonly ingress?: string;
  readonly service?: string;
  /** Set when the route's own definition is invalid: every request on it is denied with this reason. */
  readonly misconfiguration?: string;
}

export interface RouteTable {
  readonly exact: ReadonlyMap<string, readonly Route[]>;
  readonly wildcard: ReadonlyMap<string, readonly Route[]>;
  readonly catchAll: readonly Route[];
}

/**
 * Builds the lookup structure once. Within a server, Exact paths come first, then longer prefixes; among equal
 * routes the one listed first wins (callers list older definitions first).
 */
export function buildRouteTable(routes: readonly Route[]): RouteTable {
  const exact = new Map<string, Route[]>();
  const wildcard = new Map<string, Route[]>();
  const catchAll: Route[] = [];
  for (const route of routes) {
    if (route.host === "") {
      catchAll.push(route);
      continue;
    }
    const [map, key] = route.host.startsWith("*.") ? [wildcard, route.host.slice(2)] : [exact, route.host];
    const list = map.get(key) ?? [];
    list.push(route);
    map.set(key, list);
  }
  const order = (a: Route, b: Route) =>
    (a.pathType === "Exact" ? 0 : 1) - (b.pathType === "Exact" ? 0 : 1) || b.pathPrefix.length - a.pathPrefix.length;
  for (const list of [...exact.values(), ...wildcard.values(), catchAll]) list.sort(order);
  return { exact, wildcard, catchAll };
}

export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f);
}

const pathMatches = (route: Route, path: string) =>
  route.pathType === "Exact" ? path === route.pathPrefix : pathHasPrefix(path, route.pathPrefix);

export function matchRoute(table: RouteTable, host: string, path: string): Route | undefined {
  const dot = host.indexOf(".");
  const server =
    table.exact.get(host) ?? (dot === -1 ? undefined : table.wildcard.get(host.slice(dot + 1))) ?? table.catchAll;
  return server.find((route) => pathMatches(route, path));
}
