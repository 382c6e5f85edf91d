/**
 * The chart's monitoring as a platform admin running the Prometheus Operator and Grafana meets it: the alerts of the
 * PrometheusRule pass `promtool check rules` and the cases of prometheus-rules.test.yaml (each alert fires, and stays
 * quiet below its threshold, before its duration, and for another release), the alerts and the dashboard query only
 * metrics rbac-gate exports, and the ServiceMonitor and PrometheusRule validate against the operator's own CRDs.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { dryRunCreate, installCrds, monitoringCrdsDir, readCrds } from "../e2e/support/crds.js";
import { connect } from "../e2e/support/kube.js";
import { tool } from "../e2e/support/tools.js";
import { exportedMetricNames, metricNames } from "../support/promql.js";
import { writeSchemas } from "./openapi-schemas.js";

const CHART = fileURLToPath(new URL("../../charts/rbac-gate", import.meta.url));
const PROMTOOL_TESTS = fileURLToPath(new URL("prometheus-rules.test.yaml", import.meta.url));
const MONITORING = ["-f", join(CHART, "ci/monitoring-values.yaml")];

type Manifest = { kind: string; metadata: Record<string, unknown>; spec?: unknown; data?: Record<string, string> };
interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
type RuleSpec = { groups: Array<{ rules: Rule[] }> };

/** The chart rendered as release rbac-gate in namespace rbac-gate, the names prometheus-rules.test.yaml uses. */
function render(args: readonly string[] = []): Manifest[] {
  const result = spawnSync(tool("helm"), ["template", "rbac-gate", CHART, "-n", "rbac-gate", ...args], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}
const only = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const ruleSpec = (args: readonly string[] = []) => {
  const [rule] = only(render(["--set", "metrics.prometheusRule.enabled=true", ...args]), "PrometheusRule");
  return rule?.spec as RuleSpec;
};

/** Runs promtool in a private folder holding the rendered rules next to the promtool test file. */
function promtool(command: "check" | "test", spec: unknown) {
  const dir = mkdtempSync(join(tmpdir(), "promtool-"));
  writeFileSync(join(dir, "prometheus-rules.yaml"), stringify(spec));
  copyFileSync(PROMTOOL_TESTS, join(dir, "prometheus-rules.test.yaml"));
  const file = command === "check" ? "prometheus-rules.yaml" : "prometheus-rules.test.yaml";
  return spawnSync(tool("promtool"), [command, "rules", file], { cwd: dir, encoding: "utf8" });
}

const dashboard = () =>
  JSON.parse(readFileSync(join(CHART, "files/dashboard.json"), "utf8")) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ type: string; query?: { query: string } }> };
  };

describe("As a platform admin alerting on rbac-gate with the Prometheus Operator", () => {
  it("renders no PrometheusRule and no dashboard unless asked", () => {
    const manifests = render();
    expect(only(manifests, "PrometheusRule")).toEqual([]);
    expect(only(manifests, "ConfigMap").map((m) => m.metadata.name)).not.toContain("rbac-gate-dashboard");
  });

  it("renders the PrometheusRule with its labels, every alert with a severity and a runbook", () => {
    const [rule] = only(render(MONITORING), "PrometheusRule");
    expect(rule?.metadata.labels).toMatchObject({ release: "prometheus", "app.kubernetes.io/name": "rbac-gate" });
    const rules = (rule?.spec as RuleSpec | undefined)?.groups[0]?.rules;
    expect(rules?.map((r) => r.alert)).toEqual([
      "RbacGateDown",
      "RbacGateDecisionErrors",
      "RbacGateApiserverReviewErrors",
      "RbacGateApiserverReviewSlow",
      "RbacGateWatchBroken",
      "RbacGateLockoutSpike",
      "RbacGateStaleAnswers",
    ]);
    for (const r of rules ?? []) {
      expect(["warning", "critical"]).toContain(r.labels?.severity);
      expect(r.annotations?.runbook_url).toMatch(/docs\/operations\.md#rbacgate[a-z]+$/);
      expect(Object.keys(r.annotations ?? {}).sort()).toEqual(["description", "runbook_url", "summary"]);
    }
  });

  it("passes promtool check rules", () => {
    const result = promtool("check", ruleSpec());
    expect(result.stdout + result.stderr).toContain("SUCCESS: 7 rules found");
    expect(result.status).toBe(0);
  });

  it("fires each alert in its promtool test case, and stays quiet below its threshold, too soon, or for another release", () => {
    const result = promtool("test", ruleSpec());
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it.each([
    ["metrics.prometheusRule.decisionErrorRatio=0.5", "RbacGateDecisionErrors", "> 0.5"],
    ["metrics.prometheusRule.apiserverErrorRatio=0.2", "RbacGateApiserverReviewErrors", "> 0.2"],
    ["metrics.prometheusRule.apiserverP99Seconds=2.5", "RbacGateApiserverReviewSlow", "> 2.5"],
    ["metrics.prometheusRule.lockoutsPer5m=100", "RbacGateLockoutSpike", "> 100"],
  ])("takes %s from the values, and the promtool cases then fail", (set, alert, threshold) => {
    const spec = ruleSpec(["--set-json", set]);
    expect(spec.groups[0]?.rules.find((r) => r.alert === alert)?.expr).toContain(threshold);
    const result = promtool("test", spec);
    expect(result.stdout + result.stderr).toContain(`alertname: ${alert}`);
    expect(result.status).not.toBe(0);
  });

  it("scopes every alert to this release's scrape job", () => {
    const spec = ruleSpec(["--set", "fullnameOverride=gate"]);
    for (const rule of spec.groups[0]?.rules ?? []) {
      const selectors = rule.expr.match(/\{[^}]*\}/g) ?? [];
      expect(selectors.length).toBeGreaterThan(0);
      for (const s of selectors) expect(s).toContain('job="gate", namespace="rbac-gate"');
    }
  });

  it("refuses a PrometheusRule or a dashboard while metrics are off", () => {
    for (const what of ["prometheusRule", "grafanaDashboard"]) {
      expect(() => render(["--set", "metrics.enabled=false", "--set", `metrics.${what}.enabled=true`])).toThrow(
        `metrics.${what}.enabled needs metrics.enabled`,
      );
    }
  });
});

describe("As a platform admin watching rbac-gate in Grafana", () => {
  it("renders the dashboard ConfigMap with the sidecar's label, in the namespace asked for", () => {
    const [config] = only(render(MONITORING), "ConfigMap").filter((m) => m.metadata.name === "rbac-gate-dashboard");
    expect(config?.metadata.labels).toMatchObject({ grafana_dashboard: "1" });
    expect(config?.metadata.annotations).toEqual({ grafana_folder: "Platform" });
    expect(config?.metadata.namespace).toBe("monitoring");
    expect(JSON.parse(config?.data?.["rbac-gate.json"] ?? "")).toEqual(dashboard());
  });

  it("queries, in every panel, variable and alert, only metrics rbac-gate exports, and notices one it does not", async () => {
    const exported = await exportedMetricNames();
    const board = dashboard();
    const expressions = [
      ...board.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...board.templating.list.flatMap((v) => (v.type === "query" && v.query ? [v.query.query] : [])),
      ...(ruleSpec().groups[0]?.rules ?? []).map((r) => r.expr),
    ];
    const queried = new Set(expressions.flatMap(metricNames));
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
    // Every rbac-gate metric a panel shows: at least one of each, so a new one is not forgotten unseen.
    for (const name of ["rbac_gate_watch_up", "rbac_gate_decisions_total", "rbac_gate_cache_requests_total"]) {
      expect(queried).toContain(name);
    }
    const renamed = 'sum(rate(rbac_gate_decision_total{result="error"}[5m]))';
    expect(metricNames(renamed).filter((name) => !exported.has(name))).toEqual(["rbac_gate_decision_total"]);
  });
});

describe("As a platform admin applying the monitoring manifests", () => {
  let location: string;
  const kube = () => connect(inject("kubeconfig"));
  beforeAll(async () => {
    await installCrds(
      kube(),
      readCrds(() => true, monitoringCrdsDir()),
    );
    location = await writeSchemas(kube().config, mkdtempSync(join(tmpdir(), "monitoring-schemas-")));
  }, 60_000);

  it("validates the ServiceMonitor and PrometheusRule with kubeconform -strict against the operator's CRDs", () => {
    const manifests = render(MONITORING).filter((m) => ["ServiceMonitor", "PrometheusRule"].includes(m.kind));
    expect(manifests).toHaveLength(2);
    const file = join(mkdtempSync(join(tmpdir(), "monitoring-")), "monitoring.yaml");
    writeFileSync(file, manifests.map((m) => stringify(m)).join("---\n"));
    const result = spawnSync(tool("kubeconform"), ["-strict", "-summary", "-schema-location", location, file], {
      encoding: "utf8",
    });
    expect(result.stdout).toContain("Valid: 2, Invalid: 0, Errors: 0, Skipped: 0");
    expect(result.status).toBe(0);
  });

  it("has the ServiceMonitor and PrometheusRule accepted by the apiserver in a strict server-side dry run", async () => {
    await kube()
      .core.createNamespace({ body: { metadata: { name: "rbac-gate" } } })
      .catch(() => undefined);
    for (const m of render(MONITORING).filter((m) => ["ServiceMonitor", "PrometheusRule"].includes(m.kind))) {
      expect(await dryRunCreate(kube(), m as unknown as Record<string, unknown>)).toEqual({ status: 201 });
    }
  });
});
