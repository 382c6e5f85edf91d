/**
 * V8 settings rbac-gate gives itself at start, before its own code is loaded, so that every way of running it (the
 * image, the package's bin, `npm start`) gets them. Node.js refuses these in NODE_OPTIONS, where the chart's heap
 * caps are.
 *
 * --no-maglev: V8's middle optimizing tier (Maglev) compiles hot functions once more on their way to TurboFan, the
 * top tier. A long-running server's hot path ends in TurboFan either way; skipping Maglev saves the memory of its
 * compilations and of the binary's code pages it touches. Measured through the benchmark's nginx, three alternations:
 * peak resident memory 6–9 MB lower, CPU time per request alike within the host's noise (docs/performance.md).
 *
 * A choice on node's own command line (`node --maglev dist/main.js`) wins: nothing is set over it.
 */
import { setFlagsFromString } from "node:v8";

const MAGLEV = /^--(no-?)?maglev(=.*)?$/;

/** The flags to set, given node's own command-line options (process.execArgv). */
export function v8FlagsFor(execArgv: readonly string[]): string[] {
  const chosen = execArgv.some((option) => MAGLEV.test(option.replaceAll("_", "-")));
  return chosen ? [] : ["--no-maglev"];
}

/** Sets them; V8 reads these when it next decides to optimize, so this must run before any code is hot. */
export function applyV8Flags(execArgv: readonly string[] = process.execArgv): void {
  for (const flag of v8FlagsFor(execArgv)) setFlagsFromString(flag);
}
