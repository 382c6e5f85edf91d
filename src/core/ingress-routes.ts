/**
 * Ingress objects → routes, the way ingress-nginx renders them. Pure: the kube adapter hands in plain objects.
 *
 * - A rule's host is exact or "*.domain"; a rule without host joins the catch-all server.
 * - Exact paths match exactly; Prefix and ImplementationSpecific match by whole path elements (a trailing "/" is
 *   ignored, as the Ingress API specifies for Prefix); a rule without paths covers "/" with the default backend.
 * - When two Ingresses define the same host, path and type, the older one (creationTimestamp, then
 *   namespace/name) wins, as in ingress-nginx.
 * - Per-Ingress settings come from annotations (see ingress-annotations.ts); an invalid setting does not drop the
 *   route: the route stays, marked misconfigured, so its requests are denied instead of falling to another route.
 */
import { clusterRoute, readRouteHost, readRoutePath } from "./cluster-route.js";
import { type IngressDefaults, readIngressAnnotations } from "./ingress-annotations.js";
import type { PathType, Route } from "./routes.js";

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
  readonly defaultBackendService?: string;
  readonly rules: ReadonlyArray<{ readonly host?: string; readonly paths?: readonly IngressPath[] }>;
}

export interface IngressRoutes {
  readonly routes: readonly Route[];
  /** Rules that cannot be served at all (an invalid host), one line each, for the log. */
  readonly skipped: readonly string[];
}

const byAge = (a: IngressObject, b: IngressObject) =>
  (a.creationTimestamp ?? "").localeCompare(b.creationTimestamp ?? "") ||
  a.namespace.localeCompare(b.namespace) ||
  a.name.localeCompare(b.name);

export function routesFromIngresses(ingresses: readonly IngressObject[], defaults: IngressDefaults): IngressRoutes {
  const routes: Route[] = [];
  const skipped: string[] = [];
  for (const ingress of [...ingresses].sort(byAge)) {
    const source = `ingress ${ingress.namespace}/${ingress.name}`;
    const settings = readIngressAnnotations(ingress.namespace, ingress.annotations, defaults);
    // With use-regex (or rewrite-target, which implies it) nginx matches paths as regular expressions, which
    // cannot be mirrored faithfully: deny rather than guess.
    const regex =
      ingress.annotations["nginx.ingress.kubernetes.io/use-regex"] === "true" ||
      ingress.annotations["nginx.ingress.kubernetes.io/rewrite-target"] !== undefined
        ? "regular-expression paths (use-regex, rewrite-target) are not supported"
        : undefined;
    const rules = ingress.rules.length > 0 ? ingress.rules : [{}];
    for (const rule of rules) {
      const host = readRouteHost(rule.host ?? "");
      if (!host.ok) {
        skipped.push(`${source} has host "${rule.host}": ${host.error}`);
        continue;
      }
      const paths = rule.paths && rule.paths.length > 0 ? rule.paths : [{ service: ingress.defaultBackendService }];
      for (const p of paths) {
        const pathType: PathType = p.pathType === "Exact" ? "Exact" : "Prefix";
        const raw = p.path === undefined || p.path === "" ? "/" : p.path;
        const path = readRoutePath(raw, pathType);
        const place = {
          source,
          namespace: ingress.namespace,
          name: ingress.name,
          host: host.value,
          ...(path.ok ? path.value : { pathPrefix: raw, pathType }),
          ...(p.service === undefined ? {} : { service: p.service }),
        };
        routes.push(clusterRoute(settings, place, regex ?? (path.ok ? undefined : path.error)));
      }
    }
  }
  return { routes, skipped };
}
