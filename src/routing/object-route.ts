/**
 * What Ingress and HTTPRoute routes have in common: how a host and a path written in a cluster object are read,
 * and how the object's settings become a Route. Pure.
 */

import { normalizeHost, normalizePath } from "../request/normalize.js";
import { fail, ok, type Result } from "../vocabulary/result.js";
import type { IngressSettings } from "./route-annotations.js";
import type { PathType, Route } from "./routes.js";

/** An exact host or "*.domain", normalized; "" (every host) stays "". */
export function readRouteHost(raw: string): Result<string> {
  if (raw === "") return ok("");
  const wildcard = raw.startsWith("*.");
  const name = normalizeHost(wildcard ? raw.slice(2) : raw);
  if (!name.ok) return name;
  return ok(wildcard ? `*.${name.value}` : name.value);
}

/**
 * A path as the routing table holds it: as written, since the path type gives it its meaning (see routes.ts). One
 * that normalizing would change (a regular expression, dot segments, encodings) cannot be matched as written: the
 * caller denies its route.
 */
export function readRoutePath(raw: string, pathType: PathType): Result<{ path: string; pathType: PathType }> {
  const normalized = normalizePath(raw);
  if (!normalized.ok || normalized.value !== raw) return fail(`path "${raw}" is not a plain normalized path`);
  return ok({ path: raw, pathType });
}

/** The metadata of a routing object (Ingress, HTTPRoute) that decides precedence. */
export interface RouteObjectMeta {
  readonly namespace: string;
  readonly name: string;
  readonly creationTimestamp?: string;
}

/** Routes built from cluster objects, and what could not be served at all (one line each, for the log). */
export interface ClusterRouteList {
  readonly routes: readonly Route[];
  readonly skipped: readonly string[];
}

/** Epoch milliseconds of a creationTimestamp ("…00Z" from a watch event and "…00.000Z" from a list alike). */
const created = (meta: RouteObjectMeta) => {
  const ms = Date.parse(meta.creationTimestamp ?? "");
  return Number.isNaN(ms) ? 0 : ms;
};
const key = (meta: RouteObjectMeta) => `${meta.namespace}/${meta.name}`;
const codeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Oldest first, each proxy's own way of breaking a tie of creationTimestamp: ingress-nginx's sortIngressSlice puts
 * the greater "namespace/name" first, the Gateway API the lesser (by code units, never by locale).
 */
export const byAge =
  (ties: "ingress-nginx" | "gateway-api") =>
  (a: RouteObjectMeta, b: RouteObjectMeta): number =>
    created(a) - created(b) || (ties === "ingress-nginx" ? codeUnits(key(b), key(a)) : codeUnits(key(a), key(b)));

export interface RoutePlace {
  /** "ingress <ns>/<name>" or "httproute <ns>/<name>". */
  readonly source: string;
  readonly namespace: string;
  readonly name: string;
  readonly host: string;
  readonly path: string;
  readonly pathType: PathType;
  readonly service?: string;
}

/**
 * The route for one host and path of a cluster object. Its first problem, or else the settings' first, marks it
 * misconfigured (denied); service-proxy authorization without a backend Service is a problem too.
 */
export function clusterRoute(settings: IngressSettings, place: RoutePlace, problem?: string): Route {
  const misconfiguration =
    problem ??
    settings.problems[0] ??
    (settings.authorization.kind === "subject-access-review" &&
    settings.authorization.mapping === "service-proxy" &&
    place.service === undefined
      ? "service-proxy authorization needs a Service backend"
      : undefined);
  return {
    source: place.source,
    host: place.host,
    path: place.path,
    pathType: place.pathType,
    authenticators: settings.authenticators,
    realm: settings.realm,
    authorization: settings.authorization,
    ...(settings.allowPathParameters ? { allowPathParameters: true } : {}),
    namespace: place.namespace,
    objectName: place.name,
    ...(settings.htpasswd === undefined ? {} : { htpasswd: settings.htpasswd }),
    ...(settings.audiences === undefined ? {} : { audiences: settings.audiences }),
    ...(place.service === undefined ? {} : { service: place.service }),
    ...(misconfiguration === undefined ? {} : { misconfiguration: `${place.source}: ${misconfiguration}` }),
  };
}
