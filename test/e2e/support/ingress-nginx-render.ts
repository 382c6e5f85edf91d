/**
 * Ingresses rendered into nginx servers and locations the way ingress-nginx does, written from the controller's
 * own algorithm and independently of rbac-gate's routing code, so that real nginx can be the oracle for which
 * location (and so which backend) serves a request:
 *
 * - only Ingresses of the controller's class, canaries aside (they render no location: weight 0 here, so the
 *   main backend serves); oldest first, a tie of creationTimestamp broken by "namespace/name" descending
 *   (store.go sortIngressSlice);
 * - one server per rule host ("_" for rules without host: the default server); a wildcard host becomes
 *   `server_name ~^(?<subdomain>[\w-]+)\.<domain>$` (template.go buildServerName);
 * - every server starts with a default "/" Prefix location served by the default backend, which a "/" Prefix
 *   path of an Ingress takes over; a path equal to an existing location's path and type is dropped (the first
 *   Ingress keeps it) (controller.go createServers, getBackendServers);
 * - then each Prefix path other than "/" becomes "location <path>/" plus "location = <path>" unless an Exact
 *   location of that path exists (controller.go updateServerLocations, normalizePrefixPath); Exact renders
 *   `location = <path>`, ImplementationSpecific `location <path>` (template.go buildLocation); when any Ingress of
 *   the server has use-regex (Go's ParseBool), every location is `location ~* "^<path>"`, in descending path order
 *   (template.go enforceRegexModifier, buildLocation; createServers sorts locations by path, descending);
 * - every location calls the auth-url, as rbac-gate documents it: http://<auth>/auth?host=$host.
 * Each location proxies to an echo backend with its identity in X-Location, so the answer names the location.
 */

export type PathType = "Exact" | "Prefix" | "ImplementationSpecific";

export interface RenderedIngress {
  readonly namespace: string;
  readonly name: string;
  readonly creationTimestamp: string;
  readonly ingressClassName: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly rules: ReadonlyArray<{
    readonly host?: string;
    readonly paths: ReadonlyArray<{ readonly path: string; readonly pathType: PathType; readonly service: string }>;
  }>;
}

interface Location {
  path: string;
  pathType: PathType;
  /** "<namespace>/<name> <pathType> <path as written>", or "default <server>" for the default backend. */
  id: string;
  isDefault: boolean;
}

/** The identity an Ingress path's locations carry. */
export const locationId = (namespace: string, name: string, pathType: string, path: string) =>
  `${namespace}/${name} ${pathType} ${path}`;

const TRUE = ["1", "t", "T", "TRUE", "true", "True"];
const annotation = (i: RenderedIngress, name: string) => i.annotations?.[`nginx.ingress.kubernetes.io/${name}`];

function servers(ingresses: readonly RenderedIngress[], className: string): Map<string, Location[]> {
  const served = ingresses
    .filter((i) => i.ingressClassName === className && !TRUE.includes(annotation(i, "canary") ?? ""))
    .sort((a, b) => {
      const t = Date.parse(a.creationTimestamp) - Date.parse(b.creationTimestamp);
      if (t !== 0) return t;
      const [x, y] = [`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`];
      return x > y ? -1 : x < y ? 1 : 0;
    });
  const byHost = new Map<string, Location[]>();
  for (const ingress of served) {
    for (const rule of ingress.rules) {
      const host = rule.host ?? "_";
      if (!byHost.has(host))
        byHost.set(host, [{ path: "/", pathType: "Prefix", id: `default ${host}`, isDefault: true }]);
    }
  }
  for (const ingress of served) {
    for (const rule of ingress.rules) {
      const locations = byHost.get(rule.host ?? "_") as Location[];
      for (const p of rule.paths) {
        const id = locationId(ingress.namespace, ingress.name, p.pathType, p.path);
        let add = true;
        for (const loc of locations) {
          if (loc.path !== p.path) continue;
          if (loc.pathType !== p.pathType) break;
          add = false;
          if (loc.isDefault) {
            loc.id = id;
            loc.isDefault = false;
          }
          break;
        }
        if (add) locations.push({ path: p.path, pathType: p.pathType, id, isDefault: false });
      }
    }
  }
  for (const [host, locations] of byHost) {
    const exact = new Set(locations.filter((l) => l.pathType === "Exact").map((l) => l.path));
    const expanded: Location[] = [];
    for (const loc of locations) {
      if (loc.path === "/" || loc.pathType !== "Prefix") {
        expanded.push(loc);
        continue;
      }
      const normalized = loc.path.endsWith("/") ? loc.path : `${loc.path}/`;
      expanded.push({ ...loc, path: normalized });
      if (!exact.has(loc.path)) expanded.push({ ...loc, pathType: "Exact" });
    }
    byHost.set(host, expanded);
  }
  return byHost;
}

const directive = (loc: Location, regex = false) =>
  regex ? `~* "^${loc.path}"` : loc.pathType === "Exact" ? `= ${loc.path}` : loc.path;

/** Hosts whose server has a use-regex Ingress of the class: all their locations become regular expressions. */
function regexHosts(ingresses: readonly RenderedIngress[], className: string): Set<string> {
  return new Set(
    ingresses
      .filter((i) => i.ingressClassName === className && TRUE.includes(annotation(i, "use-regex") ?? ""))
      .flatMap((i) => i.rules.map((r) => r.host ?? "_")),
  );
}

function serverName(host: string): string {
  if (host === "_") return "_";
  if (!host.startsWith("*.")) return host;
  return `"~^(?<subdomain>[\\w-]+)\\.${host.slice(2).replaceAll(".", "\\.")}$"`;
}

export interface RenderResult {
  /** The nginx configuration, or undefined when two locations render alike (nginx would refuse it). */
  readonly config?: string;
  /** Concrete host names to send requests to, wildcards instantiated. */
  readonly hosts: readonly string[];
}

export function renderIngressNginx(
  ingresses: readonly RenderedIngress[],
  ports: { readonly listen: number; readonly auth: number; readonly echo: number },
  className = "nginx",
): RenderResult {
  const byHost = servers(ingresses, className);
  const regex = regexHosts(ingresses, className);
  const blocks: string[] = [];
  for (const [host, unsorted] of byHost) {
    const asRegex = regex.has(host);
    const keys = unsorted.map((l) => directive(l, asRegex));
    if (new Set(keys).size !== keys.length) return { hosts: [] };
    const locations = asRegex
      ? [...unsorted].sort((a, b) => (a.path > b.path ? -1 : a.path < b.path ? 1 : 0))
      : unsorted;
    blocks.push(`
    server {
        listen 127.0.0.1:${ports.listen}${host === "_" ? " default_server" : ""};
        server_name ${serverName(host)};
        location = /_external-auth {
            internal;
            proxy_pass_request_body     off;
            proxy_set_header            Content-Length          "";
            proxy_set_header            X-Original-URL          $scheme://$http_host$request_uri;
            proxy_set_header            X-Original-Method       $request_method;
            proxy_http_version          1.1;
            set $target "http://127.0.0.1:${ports.auth}/auth?host=$host";
            proxy_pass $target;
        }
${locations
  .map(
    (loc) => `        location ${directive(loc, asRegex)} {
            auth_request        /_external-auth;
            proxy_set_header    X-Location "${loc.id}";
            proxy_pass          http://echo;
        }`,
  )
  .join("\n")}
    }`);
  }
  if (!byHost.has("_")) {
    // ingress-nginx's default server always exists; without Ingress rules for it, no auth and the default backend.
    blocks.push(`
    server {
        listen 127.0.0.1:${ports.listen} default_server;
        server_name _;
        location / { return 404; }
    }`);
  }
  const config = `
worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events { worker_connections 256; }
http {
    client_body_temp_path client_body_temp;
    proxy_temp_path       proxy_temp;
    fastcgi_temp_path     fastcgi_temp;
    uwsgi_temp_path       uwsgi_temp;
    scgi_temp_path        scgi_temp;
    access_log off;
    server_names_hash_bucket_size 128;
    upstream echo { server 127.0.0.1:${ports.echo}; }
${blocks.join("\n")}
}
`;
  const hosts = [...byHost.keys()].flatMap((h) =>
    h === "_" ? [] : h.startsWith("*.") ? [`one${h.slice(1)}`, `two.levels${h.slice(1)}`] : [h],
  );
  return { config, hosts };
}
