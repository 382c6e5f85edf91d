/**
 * Ingresses watched from the cluster, as routes. The table is rebuilt once after a change, on the next lookup,
 * so the hot path only reads it.
 */
import { type KubeConfig, NetworkingV1Api, type V1Ingress } from "@kubernetes/client-node";
import type { KubernetesConfig } from "../config/kubernetes.js";
import type { IngressDefaults } from "../core/ingress-annotations.js";
import { type IngressObject, routesFromIngresses } from "../core/ingress-routes.js";
import { buildRouteTable, matchRoute, type Route, type RouteTable } from "../core/routes.js";
import type { Logger } from "../log.js";
import { type WatchedCollection, watchCollection } from "./watch.js";

export interface IngressWatchOptions {
  /** Only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation). */
  readonly ingressClassName?: string;
  /** Only these namespaces; empty: all. */
  readonly namespaces: readonly string[];
  readonly defaults: IngressDefaults;
}

/** The watch options a configuration asks for: one place, for the service and for explain. */
export function ingressWatchOptions(
  k: Pick<KubernetesConfig, "ingressClassName" | "namespaces" | "authorization" | "audiences">,
  realm: string,
): IngressWatchOptions {
  return {
    ...(k.ingressClassName === undefined ? {} : { ingressClassName: k.ingressClassName }),
    namespaces: k.namespaces,
    defaults: { realm, mapping: k.authorization, audiences: k.audiences },
  };
}

export interface IngressRoutes {
  match(host: string, path: string): Route | undefined;
  collections: readonly WatchedCollection<V1Ingress>[];
  stop(): Promise<void>;
}

export function toIngressObject(ingress: V1Ingress): IngressObject {
  const meta = ingress.metadata ?? {};
  const created = meta.creationTimestamp as unknown;
  return {
    namespace: meta.namespace ?? "",
    name: meta.name ?? "",
    ...(created === undefined
      ? {}
      : { creationTimestamp: created instanceof Date ? created.toISOString() : String(created) }),
    annotations: meta.annotations ?? {},
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

export async function watchIngresses(
  config: KubeConfig,
  options: IngressWatchOptions,
  logger: Logger,
): Promise<IngressRoutes> {
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
  const collections = await Promise.all(specs.map((spec) => watchCollection<V1Ingress>(config, spec, logger)));

  const wanted = (ingress: V1Ingress) => {
    if (options.ingressClassName === undefined) return true;
    const cls = ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.["kubernetes.io/ingress.class"];
    return cls === options.ingressClassName;
  };
  let table: RouteTable | undefined;
  const rebuild = (): RouteTable => {
    const ingresses = collections
      .flatMap((c) => c.list())
      .filter(wanted)
      .map(toIngressObject);
    const { routes, skipped } = routesFromIngresses(ingresses, options.defaults);
    for (const line of skipped) logger.warn({ problem: line }, "ingress rule skipped");
    for (const route of routes) {
      if (route.misconfiguration) logger.warn({ problem: route.misconfiguration }, "ingress route denied");
    }
    logger.info({ ingresses: ingresses.length, routes: routes.length }, "ingress routes rebuilt");
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
