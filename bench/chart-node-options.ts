/**
 * NODE_OPTIONS exactly as the chart's deployment sets them from its default values, so every benchmark measures
 * rbac-gate as it runs in a cluster.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const values = parse(readFileSync(new URL("../charts/rbac-gate/values.yaml", import.meta.url), "utf8")) as {
  nodeMaxOldSpaceMB: number;
  nodeMaxSemiSpaceMB: number;
};

export const CHART_NODE_OPTIONS = `--max-old-space-size=${values.nodeMaxOldSpaceMB} --max-semi-space-size=${values.nodeMaxSemiSpaceMB}`;
