/**
 * CustomResourceDefinitions from the Go modules of the Gateway API, Envoy Gateway, Istio and Traefik (gathered by
 * tools/build.sh into <tools cache>/crds), installed into a test apiserver; and HTTPRoutes to route through.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ApiextensionsV1Api, CustomObjectsApi, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import type { Kube } from "./kube.js";
import { toolsBin } from "./tools.js";

export const crdsDir = (): string => join(dirname(toolsBin()), "crds");

/** Every CRD in the gathered files whose name passes the filter. */
export function readCrds(wanted: (name: string) => boolean): V1CustomResourceDefinition[] {
  const dir = crdsDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()))
    .filter((d): d is V1CustomResourceDefinition => d?.kind === "CustomResourceDefinition")
    .filter((d) => wanted(d.metadata?.name ?? ""));
}

/** Creates the CRDs and waits until the apiserver serves each of them. */
export async function installCrds(kube: Kube, crds: readonly V1CustomResourceDefinition[]): Promise<void> {
  const api = kube.config.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const { status: _, ...body } = crd;
    await api.createCustomResourceDefinition({ body: body as V1CustomResourceDefinition }).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 409) throw error;
    });
  }
  const end = Date.now() + 30_000;
  for (const crd of crds) {
    for (;;) {
      const got = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
      if (got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > end) throw new Error(`CRD ${crd.metadata?.name} not established`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function createHTTPRoute(
  kube: Kube,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  annotations: Record<string, string> = {},
): Promise<void> {
  await kube.config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: "gateway.networking.k8s.io",
    version: "v1",
    namespace,
    plural: "httproutes",
    body: { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, annotations }, spec },
  });
}
