/**
 * Generates charts/rbac-gate/values.schema.json from values.yaml: types from the defaults, descriptions from the
 * `# --` comments, and the rules below that a default cannot show (enums, patterns, bounds, free-form maps).
 * Every other mapping is closed (additionalProperties: false), so a mistyped key is an error, not a silent no-op.
 *
 *   npm run chart:schema            write the schema
 *   npm run chart:schema -- --check exit 1 if the committed schema differs from what values.yaml gives
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from "yaml";

const CHART = fileURLToPath(new URL("../charts/rbac-gate/", import.meta.url));
type Schema = Record<string, unknown>;

const NAMESPACE = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" };
const DURATION = { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" };
const FREE_FORM = { type: "object" };

/** Rules by dotted path; "[]" stands for the items of a list. */
const RULES: Record<string, Schema> = {
  replicaCount: { minimum: 1 },
  "image.pullPolicy": { enum: ["Always", "IfNotPresent", "Never"] },
  "imagePullSecrets[]": { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  "serviceAccount.annotations": { ...FREE_FORM, additionalProperties: { type: "string" } },
  "rbac.secrets.scope": { enum: ["namespaces", "cluster"] },
  "rbac.secrets.namespaces[]": NAMESPACE,
  "watchNamespaces[]": NAMESPACE,
  "config.logLevel": { enum: ["debug", "info", "warn", "error"] },
  "config.realm": { pattern: "^[\\x20-\\x7e]{1,128}$" },
  "config.ingressClassName": { pattern: "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$" },
  "config.gateways[]": {
    type: "string",
    pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
  },
  "config.hostOwnership": { enum: ["oldest-namespace", "shared"] },
  "config.authorization": { enum: ["host-path", "service-proxy"] },
  "config.htpasswdUsernamePrefix": { pattern: "^[\\x21-\\x7e]{1,64}$" },
  "config.identityHeaders.user[]": { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9-]*$" },
  "config.identityHeaders.groups[]": { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9-]*$" },
  "config.audiences[]": { type: "string", minLength: 1 },
  "config.kubernetes.requestTimeout": DURATION,
  "config.kubernetes.qps": { minimum: 1, maximum: 10000 },
  "config.kubernetes.burst": { minimum: 1, maximum: 10000 },
  "config.kubernetes.maxPendingPerClient": { minimum: 1, maximum: 10000 },
  "config.cache.maxEntries": { minimum: 1, maximum: 10000000 },
  "config.cache.tokenReviewTtl": DURATION,
  "config.cache.tokenReviewFailureTtl": DURATION,
  "config.cache.allowTtl": DURATION,
  "config.cache.denyTtl": DURATION,
  "config.cache.maxStale": DURATION,
  "config.auditAllowSampleRate": { type: "number", minimum: 0, maximum: 1 },
  "config.regulation.maxFailuresPerUser": { minimum: 1, maximum: 1000 },
  "config.regulation.maxFailuresPerAddress": { minimum: 1, maximum: 100000 },
  "config.regulation.window": DURATION,
  "config.regulation.lockout": DURATION,
  terminationGracePeriodSeconds: { minimum: 1 },
  nodeMaxOldSpaceMB: { minimum: 64, maximum: 16384 },
  preStopSleepSeconds: { minimum: 0 },
  "service.type": { enum: ["ClusterIP", "NodePort", "LoadBalancer"] },
  "service.port": { minimum: 1, maximum: 65535 },
  resources: FREE_FORM,
  "podDisruptionBudget.maxUnavailable": {
    oneOf: [
      { type: "integer", minimum: 1 },
      { type: "string", pattern: "^[0-9]+%$" },
    ],
  },
  "topologySpreadConstraints[]": FREE_FORM,
  "metrics.port": { minimum: 1, maximum: 65535 },
  "metrics.serviceMonitor.interval": DURATION,
  "metrics.serviceMonitor.labels": { ...FREE_FORM, additionalProperties: { type: "string" } },
  "networkPolicy.metricsFrom[]": FREE_FORM,
  "networkPolicy.controllerNamespaceSelector": FREE_FORM,
  "networkPolicy.controllerPodSelector": FREE_FORM,
  "autoscaling.minReplicas": { minimum: 1 },
  "autoscaling.maxReplicas": { minimum: 1 },
  "autoscaling.targetCPUUtilizationPercentage": { minimum: 1, maximum: 100 },
  podSecurityContext: FREE_FORM,
  securityContext: FREE_FORM,
  podAnnotations: { ...FREE_FORM, additionalProperties: { type: "string" } },
  podLabels: { ...FREE_FORM, additionalProperties: { type: "string" } },
  nodeSelector: { ...FREE_FORM, additionalProperties: { type: "string" } },
  "tolerations[]": FREE_FORM,
  affinity: FREE_FORM,
};

function describe(key: Node | unknown): string | undefined {
  const comment = (key as { commentBefore?: string }).commentBefore;
  if (!comment) return undefined;
  const at = comment.indexOf("-- ");
  return at === -1
    ? undefined
    : comment
        .slice(at + 3)
        .replace(/\n\s*/g, " ")
        .trim();
}

function schemaOf(node: unknown, path: string): Schema {
  const rule = RULES[path];
  if (rule && (rule.type === "object" || "oneOf" in rule)) return { ...rule };
  let schema: Schema;
  if (isMap(node)) {
    const properties: Record<string, Schema> = {};
    (node as YAMLMap).items.forEach((pair, index) => {
      const key = String((pair.key as { value: unknown }).value);
      const child = schemaOf(pair.value, path === "" ? key : `${path}.${key}`);
      // The comment above a mapping's first key is stored on the mapping itself.
      const description = describe(pair.key) ?? (index === 0 ? describe(node) : undefined);
      properties[key] = description ? { description, ...child } : child;
    });
    schema = { type: "object", additionalProperties: false, properties };
  } else if (isSeq(node)) {
    const first = node.items[0];
    const items = RULES[`${path}[]`] ?? (first === undefined ? {} : schemaOf(first, `${path}[]`));
    schema = { type: "array", items };
  } else if (isScalar(node)) {
    const v = node.value;
    schema =
      typeof v === "boolean"
        ? { type: "boolean" }
        : typeof v === "number"
          ? { type: Number.isInteger(v) ? "integer" : "number" }
          : { type: "string" };
  } else {
    schema = {};
  }
  return { ...schema, ...rule };
}

export function generateSchema(valuesYaml: string): Schema {
  const doc = parseDocument(valuesYaml);
  return {
    $schema: "https://json-schema.org/draft-07/schema#",
    title: "rbac-gate chart values",
    ...schemaOf(doc.contents, ""),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const generated = `${JSON.stringify(generateSchema(readFileSync(`${CHART}values.yaml`, "utf8")), null, 2)}\n`;
  const target = `${CHART}values.schema.json`;
  if (process.argv.includes("--check")) {
    const current = readFileSync(target, "utf8");
    if (current !== generated) {
      process.stderr.write("values.schema.json is out of date: run npm run chart:schema\n");
      process.exit(1);
    }
  } else {
    writeFileSync(target, generated);
  }
}
