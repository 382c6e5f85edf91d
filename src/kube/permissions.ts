/**
 * Start-up check of what rbac-gate needs from the apiserver, asked with SelfSubjectAccessReviews so a missing grant
 * is reported by name before the first request fails.
 */
import { AuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { describe } from "./watch.js";

export interface Permission {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
}

/**
 * @param ingressNamespaces namespaces whose Ingresses are watched; empty: all
 * @param secretNamespaces namespaces whose Secrets are watched: "all", or a list (empty: none)
 * @param gateways with HTTPRoutes on, the fronted Gateways ("namespace/name"); undefined: HTTPRoutes off
 */
export function neededPermissions(
  ingressNamespaces: readonly string[],
  secretNamespaces: "all" | readonly string[],
  gateways?: readonly string[],
): Permission[] {
  const watch = (group: string, resource: string, scopes: ReadonlyArray<string | undefined>) =>
    ["list", "watch"].flatMap((verb) =>
      scopes.map((namespace) => ({ verb, group, resource, ...(namespace ? { namespace } : {}) })),
    );
  return [
    { verb: "create", group: "authentication.k8s.io", resource: "tokenreviews" },
    { verb: "create", group: "authorization.k8s.io", resource: "subjectaccessreviews" },
    ...watch("networking.k8s.io", "ingresses", ingressNamespaces.length === 0 ? [undefined] : ingressNamespaces),
    ...watch("", "secrets", secretNamespaces === "all" ? [undefined] : secretNamespaces),
    ...(gateways
      ? [
          ...watch(
            "gateway.networking.k8s.io",
            "httproutes",
            ingressNamespaces.length === 0 ? [undefined] : ingressNamespaces,
          ),
          ...watch("gateway.networking.k8s.io", "gateways", [...new Set(gateways.map((g) => g.split("/")[0]))]),
        ]
      : []),
  ];
}

/** @returns one line per missing permission; throws when the apiserver cannot be asked at all. */
export async function missingPermissions(config: KubeConfig, needed: readonly Permission[]): Promise<string[]> {
  const api = config.makeApiClient(AuthorizationV1Api);
  const missing: string[] = [];
  for (const p of needed) {
    let allowed: boolean;
    try {
      const review = await api.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              verb: p.verb,
              group: p.group,
              resource: p.resource,
              ...(p.namespace ? { namespace: p.namespace } : {}),
            },
          },
        },
      });
      allowed = review.status?.allowed === true;
    } catch (error) {
      throw new Error(
        `cannot reach the Kubernetes apiserver at ${config.getCurrentCluster()?.server}: ${describe(error)}`,
      );
    }
    if (!allowed) {
      const what = p.group === "" ? p.resource : `${p.resource}.${p.group}`;
      missing.push(
        `the identity rbac-gate runs as may not ${p.verb} ${what}${p.namespace ? ` in namespace ${p.namespace}` : " cluster-wide"}`,
      );
    }
  }
  return missing;
}
