/**
 * NODE_OPTIONS and MALLOC_ARENA_MAX exactly as the chart's deployment sets them from its default values, so every
 * benchmark measures rbac-gate as it runs in a cluster.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const values = parse(readFileSync(new URL("../charts/rbac-gate/values.yaml", import.meta.url), "utf8")) as {
  nodeMaxOldSpaceMB: number;
  nodeMaxSemiSpaceMB: number;
  mallocArenaMax: number;
};

export const CHART_NODE_OPTIONS = `--max-old-space-size=${values.nodeMaxOldSpaceMB} --max-semi-space-size=${values.nodeMaxSemiSpaceMB}`;

/** The chart's environment for rbac-gate, with NODE_OPTIONS replaced when given. */
export const chartEnv = (nodeOptions: string = CHART_NODE_OPTIONS): NodeJS.ProcessEnv => ({
  NODE_OPTIONS: nodeOptions,
  MALLOC_ARENA_MAX: String(values.mallocArenaMax),
});
