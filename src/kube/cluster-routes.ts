/**
 * Routes watched from the cluster: Ingresses, and Gateway API HTTPRoutes when enabled, in one table. The table is
 * rebuilt once after a change, on the next lookup, so the hot path only reads it. Ingress routes are listed
 * before HTTPRoute routes: where both name the same host, path and type, the Ingress wins.
 */
import { type KubeConfig, type KubernetesObject, NetworkingV1Api, type V1Ingress } from "@kubernetes/client-node";
import type { KubernetesConfig } from "../config/kubernetes.js";
import { routesFromHTTPRoutes } from "../core/httproute-routes.js";
import type { IngressDefaults } from "../core/ingress-annotations.js";
import { type IngressObject, routesFromIngresses } from "../core/ingress-routes.js";
import { buildRouteTable, matchRoute, type Route, type RouteTable } from "../core/routes.js";
import type { Logger } from "../log.js";
import { type HTTPRoute, httpRouteWatchSpecs, toHTTPRouteObject } from "./httproutes.js";
import { placeOf } from "./object-meta.js";
import { type WatchedCollection, watchCollection } from "./watch.js";

export interface ClusterRouteOptions {
  /** Only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation). */
  readonly ingressClassName?: string;
  /** Only these namespaces; empty: all. */
  readonly namespaces: readonly string[];
  /** Also watch gateway.networking.k8s.io/v1 HTTPRoutes in the same namespaces. */
  readonly httpRoutes: boolean;
  readonly defaults: IngressDefaults;
}

/** The watch options a configuration asks for: one place, for the service and for explain. */
export function clusterRouteOptions(
  k: Pick<KubernetesConfig, "ingressClassName" | "namespaces" | "httpRoutes" | "authorization" | "audiences">,
  realm: string,
): ClusterRouteOptions {
  return {
    ...(k.ingressClassName === undefined ? {} : { ingressClassName: k.ingressClassName }),
    namespaces: k.namespaces,
    httpRoutes: k.httpRoutes,
    defaults: { realm, mapping: k.authorization, audiences: k.audiences },
  };
}

export interface ClusterRoutes {
  match(host: string, path: string): Route | undefined;
  collections: readonly WatchedCollection<KubernetesObject>[];
  stop(): Promise<void>;
}

export function toIngressObject(ingress: V1Ingress): IngressObject {
  return {
    ...placeOf(ingress.metadata),
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
  const httpRoutes = options.httpRoutes
    ? await Promise.all(
        httpRouteWatchSpecs(config, options.namespaces).map((spec) => watchCollection<HTTPRoute>(config, spec, logger)),
      ).catch(async (error: Error) => {
        await Promise.all(ingresses.map((c) => c.stop()));
        throw new Error(`${error.message} (is the Gateway API HTTPRoute CRD installed?)`);
      })
    : [];
  const collections: WatchedCollection<KubernetesObject>[] = [...ingresses, ...httpRoutes];

  const wanted = (ingress: V1Ingress) => {
    if (options.ingressClassName === undefined) return true;
    const cls = ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.["kubernetes.io/ingress.class"];
    return cls === options.ingressClassName;
  };
  let table: RouteTable | undefined;
  const rebuild = (): RouteTable => {
    const ingressObjects = ingresses
      .flatMap((c) => c.list())
      .filter(wanted)
      .map(toIngressObject);
    const httpRouteObjects = httpRoutes.flatMap((c) => c.list()).map(toHTTPRouteObject);
    const fromIngresses = routesFromIngresses(ingressObjects, options.defaults);
    const fromHTTPRoutes = routesFromHTTPRoutes(httpRouteObjects, options.defaults);
    const routes = [...fromIngresses.routes, ...fromHTTPRoutes.routes];
    for (const line of [...fromIngresses.skipped, ...fromHTTPRoutes.skipped])
      logger.warn({ problem: line }, "rule skipped");
    for (const route of routes) {
      if (route.misconfiguration) logger.warn({ problem: route.misconfiguration }, "route denied");
    }
    logger.info(
      { ingresses: ingressObjects.length, httpRoutes: httpRouteObjects.length, routes: routes.length },
      "cluster routes rebuilt",
    );
    return buildRouteTable(routes);
  };
  for (const c of collections) {
    c.onChange(() => {
      table = undefined;
    });
  }
  return {
    match: (host, path) => {
      table ??= rebuild();
      return matchRoute(table, host, path);
    },
    collections,
    stop: async () => {
      await Promise.all(collections.map((c) => c.stop()));
    },
  };
}
