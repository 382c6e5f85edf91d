/**
 * CustomResourceDefinitions from the Go modules of the Gateway API, Envoy Gateway, Istio and Traefik (gathered by
 * tools/build.sh into <tools cache>/crds) and of the Prometheus Operator (<tools cache>/crds-monitoring), installed
 * into a test apiserver; and HTTPRoutes to route through.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CustomObjectsApi, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { apiserverJson } from "./apiserver-http.js";
import type { Kube } from "./kube.js";
import { toolsBin } from "./tools.js";

export const crdsDir = (): string => join(dirname(toolsBin()), "crds");
/** The Prometheus Operator's ServiceMonitor and PrometheusRule CRDs. */
export const monitoringCrdsDir = (): string => join(dirname(toolsBin()), "crds-monitoring");

/** Every CRD in the gathered files whose name passes the filter. */
export function readCrds(wanted: (name: string) => boolean, dir = crdsDir()): V1CustomResourceDefinition[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()))
    .filter((d): d is V1CustomResourceDefinition => d?.kind === "CustomResourceDefinition")
    .filter((d) => wanted(d.metadata?.name ?? ""));
}

/** The parts of the apiserver's JSON answers read here. */
interface ApiBody {
  readonly message?: string;
  readonly status?: { readonly conditions?: ReadonlyArray<{ type: string; status: string }> };
  readonly resources?: ReadonlyArray<{ kind: string; name: string }>;
}

const sendJson = (kube: Kube, method: string, path: string, body?: unknown) =>
  apiserverJson<ApiBody>(kube.config, method, path, body);

/** Creates the CRDs and waits until the apiserver serves each of them. */
export async function installCrds(kube: Kube, crds: readonly V1CustomResourceDefinition[]): Promise<void> {
  const path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  for (const crd of crds) {
    const { status: _, ...body } = crd;
    const created = await sendJson(kube, "POST", path, body);
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(`CRD ${crd.metadata?.name}: ${created.status} ${created.body.message}`);
    }
  }
  const end = Date.now() + 30_000;
  for (const crd of crds) {
    for (;;) {
      const got = await sendJson(kube, "GET", `${path}/${crd.metadata?.name}`);
      const conditions = got.body.status?.conditions ?? [];
      if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > end) throw new Error(`CRD ${crd.metadata?.name} not established`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates an object in a server-side dry run (every admission and validation step, nothing stored). */
export async function dryRunCreate(
  kube: Kube,
  object: Record<string, unknown>,
): Promise<{ status: number; message?: string }> {
  const [group, version] = String(object.apiVersion).includes("/")
    ? String(object.apiVersion).split("/")
    : ["", String(object.apiVersion)];
  const plural = await pluralOf(kube, group ?? "", version ?? "", String(object.kind));
  const prefix = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  const namespace = (object.metadata as { namespace?: string } | undefined)?.namespace;
  const ns = namespace ? `/namespaces/${namespace}` : "";
  const reply = await sendJson(kube, "POST", `${prefix}${ns}/${plural}?dryRun=All&fieldValidation=Strict`, object);
  return { status: reply.status, message: reply.body.message };
}

async function pluralOf(kube: Kube, group: string, version: string, kind: string): Promise<string> {
  const list = await sendJson(kube, "GET", group === "" ? `/api/${version}` : `/apis/${group}/${version}`);
  const found = (list.body.resources ?? []).find((r) => r.kind === kind && !r.name.includes("/"));
  if (!found) throw new Error(`the apiserver serves no ${kind} in ${group}/${version}`);
  return found.name;
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

/** Installs the Gateway API's HTTPRoute and Gateway CRDs (from the sigs.k8s.io/gateway-api module). */
export async function installGatewayApiCrds(kube: Kube): Promise<void> {
  await installCrds(
    kube,
    readCrds(
      (name) => name === "httproutes.gateway.networking.k8s.io" || name === "gateways.gateway.networking.k8s.io",
    ),
  );
}

/** A Gateway (gateway.networking.k8s.io/v1) with the given listeners, as a platform admin writes it. */
export async function createGateway(
  kube: Kube,
  namespace: string,
  name: string,
  listeners: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  await kube.config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: "gateway.networking.k8s.io",
    version: "v1",
    namespace,
    plural: "gateways",
    body: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name },
      spec: { gatewayClassName: "example", listeners },
    },
  });
}

/**
 * Writes what a Gateway controller writes once it accepted an HTTPRoute for a parent: status.parents with
 * Accepted=True. No controller runs in the tests; this is its part.
 */
export async function acceptHTTPRoute(
  kube: Kube,
  namespace: string,
  name: string,
  parentRef: Record<string, unknown>,
  accepted = true,
): Promise<void> {
  const api = kube.config.makeApiClient(CustomObjectsApi);
  const base = { group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name };
  const current = (await api.getNamespacedCustomObject(base)) as Record<string, unknown>;
  const condition = {
    type: "Accepted",
    status: accepted ? "True" : "False",
    reason: accepted ? "Accepted" : "NotAllowedByListeners",
    message: "",
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    observedGeneration: 1,
  };
  await api.replaceNamespacedCustomObjectStatus({
    ...base,
    body: {
      ...current,
      status: { parents: [{ parentRef, controllerName: "example.com/gateway-controller", conditions: [condition] }] },
    },
  });
}
