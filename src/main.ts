#!/usr/bin/env node
/**
 * Entry point: refuses a Node.js older than the supported LTS with one clear line, before loading anything that
 * may need a newer one, keeps one process.nextTick() task object (next-tick-maps.ts: before anything else has run
 * nextTick() enough for V8 to record it), sets rbac-gate's V8 flags (v8-flags.ts), then runs the command line
 * (cli.ts).
 */
import { nodeVersionProblem } from "./node-version.js";

const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`rbac-gate: ${tooOld}\n`);
  process.exit(1);
}
await (await import("./next-tick-maps.js")).keepNextTickMaps();
// A setting it cannot take is a usage error, as an unknown RBAC_GATE_LOG_LEVEL is (exit 2).
const refused = (await import("./v8-flags.js")).applyV8Flags();
if (refused !== undefined) {
  process.stderr.write(`rbac-gate: ${refused}\n`);
  process.exit(2);
}
await import("./cli.js");
