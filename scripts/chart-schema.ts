/**
 * Generates charts/rbac-gate/values.schema.json from values.yaml: types from the defaults, descriptions from the
 * `# --` comments, and the rules below that a default cannot show (enums, patterns, bounds, free-form maps); values
 * that are configuration options take their rules from the option schemas.
 * Every other mapping is closed (additionalProperties: false), so a mistyped key is an error, not a silent no-op.
 *
 *   npm run chart:schema            write the schema
 *   npm run chart:schema -- --check exit 1 if the committed schema differs from what values.yaml gives
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from "yaml";
import { z } from "zod";
import { kubernetes } from "../src/config/schema/kubernetes.js";
import { rootFields } from "../src/config/schema/root.js";

const CHART = fileURLToPath(new URL("../charts/rbac-gate/", import.meta.url));
type Schema = Record<string, unknown>;

// A Prometheus duration (ServiceMonitor interval), not one of rbac-gate's options.
const PROMETHEUS_DURATION = { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" };
const FREE_FORM = { type: "object" };

/**
 * `config` is the configuration file, key for key: the rule of every value under it (its type, enum, pattern and
 * bounds) comes from the option schema of the same path, so a rule is written once, in src/config/schema/. These
 * chart values outside `config` feed options too.
 */
const FROM_OPTIONS: Record<string, string> = {
  "rbac.secrets.namespaces[]": "kubernetes.namespaces[]",
  "health.staleAfter": "health.staleAfter",
};

/** The option rule of a scalar or list item under `config`, or of a value in FROM_OPTIONS. */
function ruleFromOptions(path: string): Schema | undefined {
  const option = FROM_OPTIONS[path] ?? (path.startsWith("config.") ? path.slice("config.".length) : undefined);
  return option === undefined ? undefined : optionRule(option);
}

/** The JSON schema of the options as a user writes them, with the kubernetes section present. */
const OPTIONS = z.toJSONSchema(
  z.strictObject({
    ...rootFields({ resolvePath: (p) => p, cluster: true }),
    kubernetes: kubernetes({ resolvePath: (p) => p, cluster: true }),
  }),
  { io: "input", unrepresentable: "any" },
) as Schema;

/** The rule of one option: its type, enum, pattern and bounds (a pattern already says how short it may be). */
function optionRule(path: string): Schema {
  let node: Schema | undefined = OPTIONS;
  for (const part of path.split(".").flatMap((p) => (p.endsWith("[]") ? [p.slice(0, -2), "[]"] : [p]))) {
    node = part === "[]" ? (node?.items as Schema) : (node?.properties as Record<string, Schema> | undefined)?.[part];
  }
  if (node === undefined) throw new Error(`chart-schema: no option ${path}`);
  const picked: Schema = {};
  for (const key of ["type", "enum", "pattern", "minimum", "maximum"]) if (key in node) picked[key] = node[key];
  if (!("pattern" in node) && "minLength" in node) picked.minLength = node.minLength;
  return picked;
}

/** The rule, or the empty string (a value the chart reads as "not set"). */
function emptyOr(rule: Schema): Schema {
  return { ...rule, pattern: `^$|${rule.pattern as string}` };
}

/** Rules by dotted path; "[]" stands for the items of a list. */
const RULES: Record<string, Schema> = {
  replicaCount: { minimum: 1 },
  "image.pullPolicy": { enum: ["Always", "IfNotPresent", "Never"] },
  "imagePullSecrets[]": { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  "serviceAccount.annotations": { ...FREE_FORM, additionalProperties: { type: "string" } },
  "rbac.secrets.scope": { enum: ["namespaces", "cluster"] },
  // Empty: no Redis, each replica counts alone.
  "config.regulation.redis.url": emptyOr(optionRule("regulation.redis.url")),
  // Checked by rbac-gate itself at start (every problem listed), as the apiserver checks its own copy.
  authenticationConfig: FREE_FORM,
  clientCertificateCA: { type: "string", pattern: "^$|-----BEGIN CERTIFICATE-----" },
  // Checked by rbac-gate itself at start (and by `rbac-gate check-config`), with every problem listed.
  "config.routes[]": FREE_FORM,
  "htpasswdFiles[]": {
    type: "object",
    additionalProperties: false,
    required: ["name", "secretName"],
    properties: {
      name: optionRule("htpasswd.files[].name"),
      secretName: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$" },
      key: { type: "string", pattern: "^[-._a-zA-Z0-9]{1,253}$" },
      usernamePrefix: { type: "string" },
      groups: { type: "array", items: { type: "string" } },
    },
  },
  terminationGracePeriodSeconds: { minimum: 1 },
  nodeMaxOldSpaceMB: { minimum: 64, maximum: 16384 },
  nodeMaxSemiSpaceMB: { minimum: 1, maximum: 128 },
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
  "grpc.port": { minimum: 1, maximum: 65535 },
  "metrics.serviceMonitor.interval": PROMETHEUS_DURATION,
  "metrics.serviceMonitor.labels": { ...FREE_FORM, additionalProperties: { type: "string" } },
  "metrics.prometheusRule.labels": { ...FREE_FORM, additionalProperties: { type: "string" } },
  "metrics.prometheusRule.decisionErrorRatio": { type: "number", minimum: 0, maximum: 1 },
  "metrics.prometheusRule.apiserverErrorRatio": { type: "number", minimum: 0, maximum: 1 },
  "metrics.prometheusRule.apiserverP99Seconds": { type: "number", minimum: 0 },
  "metrics.prometheusRule.lockoutsPer5m": { minimum: 0 },
  "metrics.grafanaDashboard.namespace": { pattern: "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$" },
  "metrics.grafanaDashboard.labels": { ...FREE_FORM, additionalProperties: { type: "string" } },
  "metrics.grafanaDashboard.annotations": { ...FREE_FORM, additionalProperties: { type: "string" } },
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
  "image.digest": { pattern: "^(sha256:[a-f0-9]{64})?$" },
  "extraEnv[]": { type: "object", required: ["name"] },
  "extraArgs[]": { type: "string" },
  "extraVolumes[]": { type: "object", required: ["name"] },
  "extraVolumeMounts[]": { type: "object", required: ["name", "mountPath"] },
  existingConfigMap: { pattern: "^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$" },
  global: FREE_FORM,
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
  const rule = RULES[path] ?? (isMap(node) || isSeq(node) ? undefined : ruleFromOptions(path));
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
    const items =
      RULES[`${path}[]`] ?? (first === undefined ? (ruleFromOptions(`${path}[]`) ?? {}) : schemaOf(first, `${path}[]`));
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
