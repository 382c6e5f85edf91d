/**
 * JSON schemas for kubeconform taken offline from the real test apiserver's OpenAPI (v2), the way
 * openapi2jsonschema --strict makes them: one file per group/kind/version, objects closed to unknown fields,
 * IntOrString and Quantity accepting both forms.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { apiserverJson } from "../e2e/support/apiserver-http.js";

type Schema = Record<string, unknown>;

const SPECIAL: Record<string, Schema> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { oneOf: [{ type: "string" }, { type: "integer" }] },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { oneOf: [{ type: "string" }, { type: "number" }] },
};

function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "properties" ? mapValues(v as Schema, strict) : strict(v);
  // Closed to unknown fields, except where the schema itself keeps them (a CRD's x-kubernetes-preserve-unknown-fields).
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const mapValues = (o: Schema, f: (v: unknown) => unknown): Schema =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/**
 * Writes <dir>/<group, or the version for the core group>/<kind>_<version>.json for every kind in the apiserver's OpenAPI.
 * @returns the kubeconform -schema-location template for dir
 */
export async function writeSchemas(config: KubeConfig, dir: string): Promise<string> {
  const { body: spec } = await apiserverJson<Schema>(config, "GET", "/openapi/v2");
  const definitions = mapValues(spec.definitions as Schema, (v) => strict(v)) as Record<string, Schema>;
  Object.assign(definitions, SPECIAL);
  // One file holds every definition; each kind's file only points into it (relative $ref), as
  // openapi2jsonschema's non-standalone output does.
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "_definitions.json"), JSON.stringify({ definitions }));
  for (const [name, def] of Object.entries(spec.definitions as Record<string, Schema>)) {
    const gvks = (def["x-kubernetes-group-version-kind"] ?? []) as Array<{
      group: string;
      kind: string;
      version: string;
    }>;
    for (const { group, kind, version } of gvks) {
      // kubeconform names the core group after its version ("v1"), as apiVersion has no group part.
      const folder = join(dir, group === "" ? version : group);
      mkdirSync(folder, { recursive: true });
      const schema = {
        $schema: "http://json-schema.org/draft-07/schema#",
        $ref: `../_definitions.json#/definitions/${name}`,
      };
      writeFileSync(join(folder, `${kind.toLowerCase()}_${version}.json`), JSON.stringify(schema));
    }
  }
  return `${dir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`;
}
