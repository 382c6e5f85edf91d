/**
 * The Gateway API docs' manifests (docs/gateway/) are what a platform admin copies: each is checked against the
 * CRDs of the projects it configures, taken from their Go modules (sigs.k8s.io/gateway-api, Envoy Gateway,
 * istio.io/api, Traefik), installed into the real test apiserver: kubeconform -strict against the schemas the
 * apiserver publishes for them, and a server-side dry run that also applies the CRDs' validation rules.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { EXT_AUTHZ_PREFIX } from "../../src/request/dialects/envoy.js";
import { crdsDir, dryRunCreate, installCrds, readCrds } from "../e2e/support/crds.js";
import { connect, type Kube } from "../e2e/support/kube.js";
import { tool } from "../e2e/support/tools.js";
import { writeSchemas } from "./openapi-schemas.js";

const DOCS = fileURLToPath(new URL("../../docs/gateway", import.meta.url));
const MANIFESTS = readdirSync(DOCS).filter((f) => f.endsWith(".yaml") && f !== "istio-mesh-config.yaml");
const CRDS = new Set([
  "gatewayclasses.gateway.networking.k8s.io",
  "gateways.gateway.networking.k8s.io",
  "httproutes.gateway.networking.k8s.io",
  "referencegrants.gateway.networking.k8s.io",
  "securitypolicies.gateway.envoyproxy.io",
  "authorizationpolicies.security.istio.io",
  "middlewares.traefik.io",
  "ingressroutes.traefik.io",
]);
const IDENTITY_HEADERS = ["x-auth-request-user", "x-auth-request-groups", "x-remote-user", "x-remote-group"];

let kube: Kube;
let location: string;
const kubeconform = (file: string) =>
  spawnSync(tool("kubeconform"), ["-strict", "-summary", "-schema-location", location, file], { encoding: "utf8" });
const documents = (file: string) =>
  parseAllDocuments(readFileSync(join(DOCS, file), "utf8")).map((d) => d.toJS() as Record<string, unknown>);
/** The value at a dotted path of a parsed manifest ("spec.extAuth.http.path"). */
const at = (object: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], object);

beforeAll(async () => {
  kube = connect(inject("kubeconfig"));
  await installCrds(
    kube,
    readCrds((name) => CRDS.has(name)),
  );
  for (const name of ["istio-ingress", "rbac-gate"]) {
    await kube.core.createNamespace({ body: { metadata: { name } } }).catch(() => undefined);
  }
  location = await writeSchemas(kube.config, mkdtempSync(join(tmpdir(), "crd-schemas-")));
}, 60_000);

describe("As a platform admin copying the Gateway API docs", () => {
  it.each(MANIFESTS)("%s validates with kubeconform -strict against the projects' CRDs", (file) => {
    const result = kubeconform(join(DOCS, file));
    expect(result.stderr).toBe("");
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it.each(MANIFESTS)("%s is accepted by the apiserver in a strict server-side dry run", async (file) => {
    for (const object of documents(file)) expect(await dryRunCreate(kube, object)).toEqual({ status: 201 });
  });

  it("the schemas catch a misspelt field: a SecurityPolicy with extAuth.http.pathPrefix is refused", () => {
    const wrong = readFileSync(join(DOCS, "envoy-gateway.yaml"), "utf8").replace(
      "      path: /ext-authz",
      "      pathPrefix: /ext-authz",
    );
    const file = join(mkdtempSync(join(tmpdir(), "wrong-")), "wrong.yaml");
    writeFileSync(file, wrong);
    expect(kubeconform(file).status).toBe(1);
  });

  it("istio-mesh-config.yaml uses only fields of istio.io/api's EnvoyExternalAuthorizationHttpProvider", () => {
    const source = readFileSync(join(crdsDir(), "istio-mesh-config.pb.go"), "utf8");
    const start = source.indexOf("type MeshConfig_ExtensionProvider_EnvoyExternalAuthorizationHttpProvider struct");
    const body = source.slice(start, source.indexOf("\n}\n", start));
    // protobuf:"bytes,1,opt,name=path_prefix,json=pathPrefix,proto3": the JSON name, or the name when they agree.
    const fields = new Set(
      [...body.matchAll(/protobuf:"[^"]*?name=([a-z_]+)(?:,json=([A-Za-z]+))?/g)].map((m) => m[2] ?? m[1]),
    );
    expect(fields.has("pathPrefix")).toBe(true);
    const provider = parse(readFileSync(join(DOCS, "istio-mesh-config.yaml"), "utf8")).meshConfig.extensionProviders[0];
    for (const key of Object.keys(provider.envoyExtAuthzHttp)) expect(fields, key).toContain(key);
  });

  it("every manifest points at rbac-gate's endpoints and passes on all four identity headers", () => {
    const [, envoyPolicy] = documents("envoy-gateway.yaml");
    expect(at(envoyPolicy, "spec.extAuth.http.path")).toBe(EXT_AUTHZ_PREFIX);
    expect(at(envoyPolicy, "spec.extAuth.http.headersToBackend")).toEqual(IDENTITY_HEADERS);
    const istio = parse(readFileSync(join(DOCS, "istio-mesh-config.yaml"), "utf8")).meshConfig.extensionProviders[0];
    expect(istio.envoyExtAuthzHttp.pathPrefix).toBe(EXT_AUTHZ_PREFIX);
    expect(istio.envoyExtAuthzHttp.headersToUpstreamOnAllow).toEqual(IDENTITY_HEADERS);
    const [middleware] = documents("traefik.yaml");
    expect(at(middleware, "spec.forwardAuth.address")).toMatch(/:8080\/forward-auth$/);
    expect(at(middleware, "spec.forwardAuth.trustForwardHeader")).toBe(false);
    const copied = at(middleware, "spec.forwardAuth.authResponseHeaders") as string[];
    expect(copied.map((h) => h.toLowerCase())).toEqual(IDENTITY_HEADERS);
  });
});
