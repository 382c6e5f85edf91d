#!/usr/bin/env node
/**
 * Entry point: refuses a Node.js older than the supported LTS with one clear line, before loading anything that
 * may need a newer one, then runs the command line (cli.ts).
 */
import { nodeVersionProblem } from "./node-version.js";

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`rbac-gate: ${problem}\n`);
  process.exit(1);
}
await import("./cli.js");
