#!/usr/bin/env node
/**
 * Entry point: refuses a Node.js older than the supported LTS with one clear line, before loading anything that
 * may need a newer one, sets rbac-gate's V8 flags (v8-flags.ts), then runs the command line (cli.ts).
 */
import { nodeVersionProblem } from "./node-version.js";
import { applyV8Flags } from "./v8-flags.js";

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`rbac-gate: ${problem}\n`);
  process.exit(1);
}
applyV8Flags();
await import("./cli.js");
