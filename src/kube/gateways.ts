/**
 * The Gateways rbac-gate fronts (gateway.networking.k8s.io/v1), each watched by name, as plain objects for the
 * decision core: their listeners decide which HTTPRoutes and hostnames count (routing/gateway-attachment.ts).
 */
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { GatewayObject } from "../routing/gateway-attachment.js";
import { HTTPROUTE_GROUP } from "./httproutes.js";
import type { WatchSpec } from "./watch.js";

export interface Gateway extends KubernetesObject {
  spec?: {
    listeners?: Array<{
      name: string;
      port?: number;
      hostname?: string;
      allowedRoutes?: { namespaces?: { from?: string } };
    }>;
  };
}

/** @param gateways "namespace/name" of each fronted Gateway. */
export function gatewayWatchSpecs(config: KubeConfig, gateways: readonly string[]): WatchSpec<Gateway>[] {
  const api = config.makeApiClient(CustomObjectsApi);
  type List = Awaited<ReturnType<WatchSpec<Gateway>["list"]>>;
  return gateways.map((key) => {
    const [namespace, name] = key.split("/") as [string, string];
    const fieldSelector = `metadata.name=${name}`;
    return {
      name: `gateway ${key}`,
      path: `/apis/${HTTPROUTE_GROUP}/v1/namespaces/${namespace}/gateways`,
      fieldSelector,
      list: async () =>
        (await api.listNamespacedCustomObject({
          group: HTTPROUTE_GROUP,
          version: "v1",
          plural: "gateways",
          namespace,
          fieldSelector,
        })) as List,
    };
  });
}

export function toGatewayObject(gateway: Gateway): GatewayObject {
  return {
    namespace: gateway.metadata?.namespace ?? "",
    name: gateway.metadata?.name ?? "",
    listeners: (gateway.spec?.listeners ?? []).map((l) => ({
      name: l.name,
      ...(l.port === undefined ? {} : { port: l.port }),
      ...(l.hostname === undefined ? {} : { hostname: l.hostname }),
      ...(l.allowedRoutes?.namespaces?.from === undefined ? {} : { allowedFrom: l.allowedRoutes.namespaces.from }),
    })),
  };
}
