/**
 * Static route table and how a request finds its route, matching the way ingress-nginx routes Ingress rules:
 * an exact host beats a wildcard, a wildcard "*.example.com" covers exactly one more label, and among the
 * paths of that host the longest prefix (by whole path elements: "/api" covers "/api" and "/api/x", not
 * "/apix") wins. A request that matches no route is denied.
 */
import type { AuthenticatorKind } from "./types.js";

export type RouteAuthorization =
  | { readonly kind: "authenticated" }
  | { readonly kind: "users"; readonly users: ReadonlySet<string> };

export interface Route {
  /** Where the route was defined, for logs: "routes[0]" or "ingress default/hello-app". */
  readonly source: string;
  /** Exact lower-case host or "*.<domain>". */
  readonly host: string;
  /** Path prefix, normalized, without trailing slash except for "/". */
  readonly pathPrefix: string;
  readonly authenticators: readonly AuthenticatorKind[];
  readonly realm: string;
  /** Name of the htpasswd source basic credentials are checked against. */
  readonly htpasswd?: string;
  readonly authorization: RouteAuthorization;
}

export interface RouteTable {
  readonly exact: ReadonlyMap<string, readonly Route[]>;
  readonly wildcard: ReadonlyMap<string, readonly Route[]>;
}

/** Builds the lookup structure once; each host's routes are sorted longest prefix first. */
export function buildRouteTable(routes: readonly Route[]): RouteTable {
  const exact = new Map<string, Route[]>();
  const wildcard = new Map<string, Route[]>();
  for (const route of routes) {
    const [map, key] = route.host.startsWith("*.") ? [wildcard, route.host.slice(2)] : [exact, route.host];
    const list = map.get(key) ?? [];
    list.push(route);
    map.set(key, list);
  }
  for (const list of [...exact.values(), ...wildcard.values()]) {
    list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
  }
  return { exact, wildcard };
}

export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f);
}

export function matchRoute(table: RouteTable, host: string, path: string): Route | undefined {
  const byPath = (routes: readonly Route[] | undefined) => routes?.find((r) => pathHasPrefix(path, r.pathPrefix));
  const exact = byPath(table.exact.get(host));
  if (exact) return exact;
  const dot = host.indexOf(".");
  return dot === -1 ? undefined : byPath(table.wildcard.get(host.slice(dot + 1)));
}
