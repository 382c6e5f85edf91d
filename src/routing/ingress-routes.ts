/**
 * Ingress objects → routes, the way ingress-nginx renders them. Pure: the kube adapter hands in plain objects,
 * already filtered to the Ingresses the fronted controller serves (see ingress-class.ts).
 *
 * - A rule's host is exact or "*.domain" (one label, as ingress-nginx's server_name regular expression); a rule
 *   without host joins the catch-all server.
 * - Each pathType keeps its own meaning (Exact, Prefix, ImplementationSpecific: see routes.ts for the locations
 *   each renders to); a rule without paths covers "/" with the default backend; a path whose backend is not a
 *   Service renders no location at all (ingress-nginx skips it), so it makes no route.
 * - Exact and Prefix paths must pass ingress-nginx's strict path validation (^/[[:alnum:]_/-]*$, on by default
 *   since v1.12): a path the controller refuses is a route that is denied, never one nginx would not serve.
 * - When two Ingresses define the same host, path and type, the older one (creationTimestamp, then
 *   namespace/name) wins, as in ingress-nginx.
 * - use-regex (or rewrite-target, which implies it) turns every location of that host's server into a
 *   case-insensitive regular expression (template.go enforceRegexModifier): that cannot be mirrored, so every
 *   route of such a host is denied.
 * - Per-Ingress settings come from annotations (see route-annotations.ts); an invalid setting does not drop the
 *   route: the route stays, marked misconfigured, so its requests are denied instead of falling to another route.
 */

import { applyHostOwnership, type HostOwnership } from "./host-ownership.js";
import { type IngressClassFilter, servedIngress } from "./ingress-class.js";
import { byAge, type ClusterRouteList, clusterRoute, readRouteHost, readRoutePath } from "./object-route.js";
import { type IngressDefaults, readIngressAnnotations } from "./route-annotations.js";
import { buildRouteTable, matchKey, type PathType, type Route, type RouteTable } from "./routes.js";

export interface IngressPath {
  readonly path?: string;
  readonly pathType?: string;
  /** Name of the backend Service; undefined for a resource backend. */
  readonly service?: string;
}

export interface IngressObject {
  readonly namespace: string;
  readonly name: string;
  readonly creationTimestamp?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly ingressClassName?: string;
  readonly defaultBackendService?: string;
  readonly rules: ReadonlyArray<{ readonly host?: string; readonly paths?: readonly IngressPath[] }>;
}

export type IngressRoutes = ClusterRouteList;

const STRICT_PATH = /^\/[A-Za-z0-9_/-]*$/;

const NGINX = "nginx.ingress.kubernetes.io/";

/**
 * An annotation read as ingress-nginx reads a boolean (Go's strconv.ParseBool): "1", "t", "T", "TRUE", "true",
 * "True" are true. A value it would refuse counts as true here: the safe reading of a setting that widens nginx.
 */
function annotationTrue(annotations: Readonly<Record<string, string>>, name: string): boolean {
  const v = annotations[`${NGINX}${name}`];
  if (v === undefined) return false;
  return !["0", "f", "F", "FALSE", "false", "False"].includes(v);
}

const usesRegex = (annotations: Readonly<Record<string, string>>) =>
  annotationTrue(annotations, "use-regex") || annotations[`${NGINX}rewrite-target`] !== undefined;

/** server-alias: extra server names, comma-separated, each a host, a wildcard or an nginx regular expression. */
const aliasesOf = (annotations: Readonly<Record<string, string>>) =>
  (annotations[`${NGINX}server-alias`] ?? "")
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter((a) => a !== "");

const readPathType = (value: string | undefined): PathType =>
  value === "Exact" || value === "Prefix" ? value : "ImplementationSpecific";

export function routesFromIngresses(ingresses: readonly IngressObject[], defaults: IngressDefaults): IngressRoutes {
  const routes: Route[] = [];
  const skipped: string[] = [];
  const regexHosts = new Map<string, string>();
  /** Locations a canary Ingress takes traffic from, by host, path and type: its backend may serve them. */
  const canaries = new Map<string, string>();
  /** Hosts a server-alias adds to another server: nginx serves them with that server's locations. */
  const aliased = new Map<string, string>();
  let wideAlias: string | undefined;
  /**
   * Per host, whether nginx sets ssl-client-cert in the auth subrequest: the server takes its auth-tls settings from
   * the oldest Ingress of the host with auth-tls-secret, and renders the header only with
   * auth-tls-pass-certificate-to-upstream. Elsewhere a client's own ssl-client-cert header reaches rbac-gate.
   */
  const passesCertificate = new Map<string, boolean>();
  for (const ingress of [...ingresses].sort(byAge("ingress-nginx"))) {
    const source = `ingress ${ingress.namespace}/${ingress.name}`;
    const settings = readIngressAnnotations(ingress.namespace, ingress.annotations, defaults);
    const regex = usesRegex(ingress.annotations);
    // A canary renders no location of its own: ingress-nginx merges its backend into the location of the same
    // host, path and type, whichever namespace that is in, and sends part of the traffic there.
    const canary = annotationTrue(ingress.annotations, "canary");
    for (const alias of aliasesOf(ingress.annotations)) {
      const plain = readRouteHost(alias);
      if (plain.ok && !plain.value.startsWith("*.")) aliased.set(plain.value, source);
      else wideAlias ??= source;
    }
    const rules = ingress.rules.length > 0 ? ingress.rules : [{}];
    for (const rule of rules) {
      const host = readRouteHost(rule.host ?? "");
      if (!host.ok) {
        skipped.push(`${source} has host "${rule.host}": ${host.error}`);
        continue;
      }
      if (regex && !regexHosts.has(host.value)) regexHosts.set(host.value, source);
      if (ingress.annotations[`${NGINX}auth-tls-secret`] && !passesCertificate.has(host.value))
        passesCertificate.set(host.value, annotationTrue(ingress.annotations, "auth-tls-pass-certificate-to-upstream"));
      const explicit = rule.paths && rule.paths.length > 0;
      const paths = explicit ? (rule.paths ?? []) : [{ service: ingress.defaultBackendService }];
      for (const p of paths) {
        if (explicit && p.service === undefined) continue;
        const pathType = readPathType(p.pathType);
        const raw = p.path === undefined || p.path === "" ? "/" : p.path;
        const path = readRoutePath(raw, pathType);
        const strict =
          pathType !== "ImplementationSpecific" && !STRICT_PATH.test(raw)
            ? `path "${raw}" fails ingress-nginx's validation for pathType ${pathType}`
            : undefined;
        const place = {
          source,
          namespace: ingress.namespace,
          name: ingress.name,
          host: host.value,
          ...(path.ok ? path.value : { path: raw, pathType }),
          ...(p.service === undefined ? {} : { service: p.service }),
        };
        const route = clusterRoute(settings, place, path.ok ? strict : path.error);
        if (canary) canaries.set(matchKey(route), source);
        else routes.push(route);
      }
    }
  }
  const deny = (route: Route, why: string): Route =>
    route.misconfiguration === undefined ? { ...route, misconfiguration: `${route.source}: ${why}` } : route;
  const denied = routes.map((route) => {
    const regexSource = regexHosts.get(route.host);
    if (regexSource !== undefined)
      return deny(
        route,
        `host "${route.host || "*"}" has regular-expression locations (use-regex or rewrite-target on ${regexSource}), which are not supported`,
      );
    if (route.authenticators.includes("client-certificate") && passesCertificate.get(route.host) !== true)
      return deny(
        route,
        `host "${route.host || "*"}" does not pass the client certificate to rbac-gate (auth-tls-secret with auth-tls-pass-certificate-to-upstream: "true")`,
      );
    const canarySource = canaries.get(matchKey(route));
    if (canarySource !== undefined)
      return deny(route, `the canary ${canarySource} may serve this location from its own backend`);
    // A wildcard or regular-expression alias can take any host that has no exact server.
    if (wideAlias !== undefined && (route.host === "" || route.host.startsWith("*.")))
      return deny(route, `a server-alias of ${wideAlias} may take this host`);
    return route;
  });
  // Every path of a host with regular-expression locations is refused, not only those a route's own prefix
  // covers: nginx matches "~* ^/api" for "/api.v1" and "/API" too.
  for (const [host, source] of regexHosts) {
    denied.push({
      ...placeholderRoute(defaults),
      source,
      host,
      misconfiguration: `${source}: host "${host || "*"}" has regular-expression locations (use-regex or rewrite-target), which are not supported`,
    });
  }
  // A host an alias names is served by the aliased server's locations: refuse it whole. ingress-nginx ignores an
  // alias that names a host with a server of its own.
  const hosts = new Set(routes.map((r) => r.host));
  for (const [host, source] of aliased) {
    if (hosts.has(host)) continue;
    denied.push({
      ...placeholderRoute(defaults),
      source,
      host,
      path: "/",
      pathType: "ImplementationSpecific",
      misconfiguration: `${source}: host "${host}" is a server-alias, which is not supported`,
    });
  }
  return { routes: denied, skipped };
}

/** The shape of a denied route when no other route exists to copy settings from. */
const placeholderRoute = (defaults: IngressDefaults): Route => ({
  source: "",
  host: "",
  path: "/",
  pathType: "ImplementationSpecific",
  authenticators: ["bearer"],
  realm: defaults.realm,
  authorization: { kind: "subject-access-review", mapping: defaults.mapping },
});

export interface IngressTableOptions extends IngressClassFilter {
  readonly defaults: IngressDefaults;
  readonly hostOwnership: HostOwnership;
}

/**
 * The route table of what the fronted ingress-nginx serves, from every watched Ingress: its class only, routes as
 * it renders them, host ownership applied, one-label wildcards.
 */
export function ingressRouteTable(
  ingresses: readonly IngressObject[],
  options: IngressTableOptions,
): IngressRoutes & { readonly table: RouteTable; readonly served: number } {
  const served = ingresses.filter((ingress) => servedIngress(ingress, options));
  const built = routesFromIngresses(served, options.defaults);
  const routes = applyHostOwnership(built.routes, options.hostOwnership);
  return { routes, skipped: built.skipped, table: buildRouteTable(routes, "one"), served: served.length };
}
