/**
 * Routes watched from the cluster, one table per kind of proxy, because each proxy routes only by its own objects:
 * the ingress-nginx endpoint decides by the Ingresses of the served class (one-label wildcards, nginx locations),
 * the Gateway endpoints (Envoy, Traefik) by the HTTPRoutes the fronted Gateways serve (any-label wildcards,
 * element-wise prefixes). An Ingress never decides a request a Gateway routed, nor the reverse. A table is built
 * once the watches have listed, and rebuilt off the request path when a watch reports a change (debounced, so a
 * burst of changes costs one rebuild); lookups read the current table and never build one.
 */
import { type KubeConfig, type KubernetesObject, NetworkingV1Api, type V1Ingress } from "@kubernetes/client-node";
import type { KubernetesConfig } from "../config/kubernetes.js";
import type { Logger } from "../log.js";
import type { GatewayObject } from "../routing/gateway-attachment.js";
import { applyHostOwnership, type HostOwnership } from "../routing/host-ownership.js";
import { routesFromHTTPRoutes } from "../routing/httproute-routes.js";
import { type IngressObject, ingressRouteTable } from "../routing/ingress-routes.js";
import type { IngressDefaults } from "../routing/route-annotations.js";
import type { RouteSource } from "../routing/route-sources.js";
import { buildRouteTable, matchRoute, type Route, type RouteTable, servesHost } from "../routing/routes.js";
import { type Gateway, gatewayWatchSpecs, toGatewayObject } from "./gateways.js";
import { type HTTPRoute, httpRouteWatchSpecs, toHTTPRouteObject } from "./httproutes.js";
import { placeOf } from "./object-meta.js";
import { type WatchedCollection, watchCollection } from "./watch.js";

export interface ClusterRouteOptions {
  /** Only Ingresses of this class (see routing/ingress-class.ts). */
  readonly ingressClassName: string;
  readonly watchIngressWithoutClass: boolean;
  /** Only these namespaces; empty: all. */
  readonly namespaces: readonly string[];
  /** Also watch gateway.networking.k8s.io/v1 HTTPRoutes in the same namespaces, and the fronted Gateways. */
  readonly httpRoutes: boolean;
  /** "namespace/name" of each fronted Gateway. */
  readonly gateways: readonly string[];
  readonly hostOwnership: HostOwnership;
  readonly defaults: IngressDefaults;
}

/** The watch options a configuration asks for: one place, for the service and for explain. */
export function clusterRouteOptions(
  k: Pick<
    KubernetesConfig,
    | "ingressClassName"
    | "watchIngressWithoutClass"
    | "namespaces"
    | "httpRoutes"
    | "gateways"
    | "hostOwnership"
    | "authorization"
    | "audiences"
    | "authenticationConfig"
  >,
  realm: string,
): ClusterRouteOptions {
  return {
    ingressClassName: k.ingressClassName,
    watchIngressWithoutClass: k.watchIngressWithoutClass,
    namespaces: k.namespaces,
    httpRoutes: k.httpRoutes,
    gateways: k.gateways,
    hostOwnership: k.hostOwnership,
    defaults: { realm, mapping: k.authorization, audiences: k.audiences, oidc: k.authenticationConfig !== undefined },
  };
}

export interface ClusterRoutes {
  /** The Ingresses (for ingress-nginx), then the HTTPRoutes when httpRoutes is on (for the Gateways). */
  readonly sources: readonly RouteSource[];
  collections: readonly WatchedCollection<KubernetesObject>[];
  stop(): Promise<void>;
}

export function toIngressObject(ingress: V1Ingress): IngressObject {
  return {
    ...placeOf(ingress.metadata),
    ...(ingress.spec?.ingressClassName ? { ingressClassName: ingress.spec.ingressClassName } : {}),
    ...(ingress.spec?.defaultBackend?.service?.name
      ? { defaultBackendService: ingress.spec.defaultBackend.service.name }
      : {}),
    rules: (ingress.spec?.rules ?? []).map((rule) => ({
      ...(rule.host ? { host: rule.host } : {}),
      paths: (rule.http?.paths ?? []).map((p) => ({
        ...(p.path === undefined ? {} : { path: p.path }),
        pathType: p.pathType,
        ...(p.backend?.service?.name ? { service: p.backend.service.name } : {}),
      })),
    })),
  };
}

export async function watchClusterRoutes(
  config: KubeConfig,
  options: ClusterRouteOptions,
  logger: Logger,
): Promise<ClusterRoutes> {
  const api = config.makeApiClient(NetworkingV1Api);
  const specs =
    options.namespaces.length === 0
      ? [
          {
            name: "ingresses",
            path: "/apis/networking.k8s.io/v1/ingresses",
            list: () => api.listIngressForAllNamespaces(),
          },
        ]
      : options.namespaces.map((namespace) => ({
          name: `ingresses in ${namespace}`,
          path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
          list: () => api.listNamespacedIngress({ namespace }),
        }));
  const ingresses = await Promise.all(specs.map((spec) => watchCollection<V1Ingress>(config, spec, logger)));
  const stopAll = (list: WatchedCollection<KubernetesObject>[]) => Promise.all(list.map((c) => c.stop()));
  const httpRoutes = options.httpRoutes
    ? await Promise.all(
        httpRouteWatchSpecs(config, options.namespaces).map((spec) => watchCollection<HTTPRoute>(config, spec, logger)),
      ).catch(async (error: Error) => {
        await stopAll(ingresses);
        throw new Error(`${error.message} (is the Gateway API HTTPRoute CRD installed?)`);
      })
    : [];
  const gateways = options.httpRoutes
    ? await Promise.all(
        gatewayWatchSpecs(config, options.gateways).map((spec) => watchCollection<Gateway>(config, spec, logger)),
      ).catch(async (error: Error) => {
        await stopAll([...ingresses, ...httpRoutes]);
        throw new Error(`${error.message} (is the Gateway API Gateway CRD installed?)`);
      })
    : [];
  const collections: WatchedCollection<KubernetesObject>[] = [...ingresses, ...httpRoutes, ...gateways];

  const report = (kind: string, skipped: readonly string[], routes: readonly Route[], objects: number) => {
    for (const line of skipped) logger.warn({ problem: line }, "rule skipped");
    for (const route of routes) {
      if (route.misconfiguration) logger.warn({ problem: route.misconfiguration }, "route denied");
    }
    logger.info({ kind, objects, routes: routes.length }, "cluster routes rebuilt");
  };
  const buildIngressTable = (): RouteTable => {
    const built = ingressRouteTable(ingresses.flatMap((c) => c.list()).map(toIngressObject), {
      className: options.ingressClassName,
      watchWithoutClass: options.watchIngressWithoutClass,
      hostOwnership: options.hostOwnership,
      defaults: options.defaults,
    });
    report("ingress", built.skipped, built.routes, built.served);
    return built.table;
  };
  const buildGatewayTable = (): RouteTable => {
    const fronted = new Map<string, GatewayObject>();
    for (const g of gateways.flatMap((c) => c.list()).map(toGatewayObject)) fronted.set(`${g.namespace}/${g.name}`, g);
    const objects = httpRoutes.flatMap((c) => c.list()).map(toHTTPRouteObject);
    const built = routesFromHTTPRoutes(objects, options.defaults, fronted);
    const routes = applyHostOwnership(built.routes, options.hostOwnership);
    report("httproute", built.skipped, routes, objects.length);
    return buildRouteTable(routes, "any");
  };

  const ingressSource = tableSource("ingresses", "ingress", buildIngressTable, ingresses);
  const httpRouteSource = tableSource("httproutes", "gateway", buildGatewayTable, [...httpRoutes, ...gateways]);
  return {
    sources: options.httpRoutes ? [ingressSource, httpRouteSource] : [ingressSource],
    collections,
    stop: async () => {
      await stopAll(collections);
    },
  };
}

/** How long a burst of watch events may last before the table is rebuilt once. */
const REBUILD_DEBOUNCE_MS = 50;

/** A route source over a table built now and rebuilt, debounced, after each change of the given collections. */
function tableSource(
  name: string,
  routes: RouteSource["routes"],
  build: () => RouteTable,
  collections: readonly WatchedCollection<KubernetesObject>[],
): RouteSource {
  let table = build();
  let scheduled = false;
  const rebuild = () => {
    scheduled = false;
    table = build();
  };
  for (const c of collections) {
    c.onChange(() => {
      if (scheduled) return;
      scheduled = true;
      setTimeout(rebuild, REBUILD_DEBOUNCE_MS).unref();
    });
  }
  return {
    name,
    routes,
    match: (host, path) => matchRoute(table, host, path),
    servesHost: (host) => servesHost(table, host),
  };
}
