/** Gateway API HTTPRoutes (gateway.networking.k8s.io/v1) as plain objects for the decision core. */
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { HTTPRouteObject } from "../routing/httproute-routes.js";
import { placeOf } from "./object-meta.js";
import type { WatchSpec } from "./watch.js";

export const HTTPROUTE_GROUP = "gateway.networking.k8s.io";

type ParentRef = {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
};

/** The parts of an HTTPRoute read here; everything else (filters, timeouts) does not change a decision. */
export interface HTTPRoute extends KubernetesObject {
  spec?: {
    hostnames?: string[];
    parentRefs?: ParentRef[];
    rules?: Array<{
      matches?: Array<{
        path?: { type?: string; value?: string };
        headers?: unknown[];
        queryParams?: unknown[];
        method?: string;
      }>;
      backendRefs?: Array<{ group?: string; kind?: string; name: string; namespace?: string }>;
    }>;
  };
  status?: {
    parents?: Array<{
      parentRef?: ParentRef;
      controllerName?: string;
      conditions?: Array<{ type?: string; status?: string }>;
    }>;
  };
}

const parentRef = (r: ParentRef) => ({
  name: r.name,
  ...(r.group === undefined ? {} : { group: r.group }),
  ...(r.kind === undefined ? {} : { kind: r.kind }),
  ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
  ...(r.sectionName === undefined ? {} : { sectionName: r.sectionName }),
  ...(r.port === undefined ? {} : { port: r.port }),
});

export function httpRouteWatchSpecs(config: KubeConfig, namespaces: readonly string[]): WatchSpec<HTTPRoute>[] {
  const api = config.makeApiClient(CustomObjectsApi);
  const base = { group: HTTPROUTE_GROUP, version: "v1", plural: "httproutes" };
  // The custom-objects API is untyped: its list is the apiserver's HTTPRouteList as JSON.
  type List = Awaited<ReturnType<WatchSpec<HTTPRoute>["list"]>>;
  return namespaces.length === 0
    ? [
        {
          name: "httproutes",
          path: `/apis/${HTTPROUTE_GROUP}/v1/httproutes`,
          list: async () => (await api.listClusterCustomObject(base)) as List,
        },
      ]
    : namespaces.map((namespace) => ({
        name: `httproutes in ${namespace}`,
        path: `/apis/${HTTPROUTE_GROUP}/v1/namespaces/${namespace}/httproutes`,
        list: async () => (await api.listNamespacedCustomObject({ ...base, namespace })) as List,
      }));
}

export function toHTTPRouteObject(route: HTTPRoute): HTTPRouteObject {
  return {
    ...placeOf(route.metadata),
    hostnames: route.spec?.hostnames ?? [],
    parentRefs: (route.spec?.parentRefs ?? []).map(parentRef),
    parents: (route.status?.parents ?? []).flatMap((p) =>
      p.parentRef
        ? [
            {
              parentRef: parentRef(p.parentRef),
              accepted: (p.conditions ?? []).some((c) => c.type === "Accepted" && c.status === "True"),
            },
          ]
        : [],
    ),
    rules: (route.spec?.rules ?? []).map((rule) => ({
      matches: (rule.matches ?? []).map((m) => ({
        ...(m.path ? { path: m.path } : {}),
        conditional: (m.headers?.length ?? 0) > 0 || (m.queryParams?.length ?? 0) > 0 || m.method !== undefined,
      })),
      backendRefs: (rule.backendRefs ?? []).map((b) => ({
        name: b.name,
        ...(b.group === undefined ? {} : { group: b.group }),
        ...(b.kind === undefined ? {} : { kind: b.kind }),
        ...(b.namespace === undefined ? {} : { namespace: b.namespace }),
      })),
    })),
  };
}
