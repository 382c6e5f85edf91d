/**
 * The metric names PromQL expressions select, and the names rbac-gate exports: a dashboard panel or an alert that
 * queries a renamed or never-exported metric then fails a test instead of staying empty or silent.
 */
import { createMetrics } from "../../src/metrics/metrics.js";

/** What a scrape adds to every target; the only name not exported by rbac-gate itself. */
const PROMETHEUS_OWN = ["up"];

/**
 * Metric names in an expression: identifiers that are neither functions, keywords, label names (in matchers and in
 * by/without/on/ignoring/group_* lists), durations nor Grafana variables. Grafana's label_values(metric, label)
 * counts its metric.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\blabel_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*\w+\s*\)/g, " $1 ")
    .replace(/\$\{?\w+\}?/g, " ");
  const keywords = new Set(["bool", "and", "or", "unless", "offset", "inf", "nan"]);
  const names = [...stripped.matchAll(/\b[a-zA-Z_:][\w:]*\b(?!\s*\()/g)].map((m) => m[0]);
  return [...new Set(names.filter((name) => !keywords.has(name.toLowerCase())))];
}

/** Every series name a scrape of rbac-gate yields (histograms as their _bucket, _sum and _count), plus `up`. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const metrics = await createMetrics().registry.getMetricsAsJSON();
  return new Set([
    ...PROMETHEUS_OWN,
    ...metrics.flatMap((m) =>
      String(m.type) === "histogram"
        ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
        : String(m.type) === "summary"
          ? [m.name, `${m.name}_sum`, `${m.name}_count`]
          : [m.name],
    ),
  ]);
}
