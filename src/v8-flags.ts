/**
 * V8 settings rbac-gate gives itself at start, before its own code is loaded, so that every way of running it (the
 * image, the package's bin, `npm start`) gets them. Node.js refuses these in NODE_OPTIONS, where the chart's heap
 * caps are.
 *
 * --no-maglev: V8's middle optimizing tier (Maglev) compiles hot functions once more on their way to TurboFan, the
 * top tier. A long-running server's hot path ends in TurboFan either way; skipping Maglev saves the memory of its
 * compilations and of the binary's code pages it touches. Measured through the benchmark's nginx at the chart's 2 MiB
 * semi-space: peak resident memory 6–9 MB lower, CPU time per request alike within the host's noise once the hot path
 * is compiled. The price: a new process serves 35–45 % fewer requests in its first two seconds at full load, and
 * starts 10–110 ms later, because Node.js's built-in code cache does not match the changed flags and what loads after
 * this compiles from source (docs/performance.md "Without V8's Maglev tier").
 *
 * Maglev stays on when RBAC_GATE_MAGLEV=on (the chart's extraEnv reaches it; the image's node command line does not)
 * or when node's own command line chooses (`node --maglev dist/main.js`): nothing is set over either.
 */
import { setFlagsFromString } from "node:v8";
import { fail, ok, type Result } from "./vocabulary/result.js";

// V8 takes one or two dashes, "no" with or without a dash, and "_" for "-".
const MAGLEV = /^--?(no-?)?maglev$/;

/** The flags to set, given node's own command-line options (process.execArgv) and RBAC_GATE_MAGLEV. */
export function v8FlagsFor(execArgv: readonly string[], maglev: string | undefined): Result<string[]> {
  if (maglev !== undefined && maglev !== "on" && maglev !== "off")
    return fail(`RBAC_GATE_MAGLEV has "${maglev}": it must be on or off`);
  const chosen = maglev === "on" || execArgv.some((option) => MAGLEV.test(option.replaceAll("_", "-")));
  return ok(chosen ? [] : ["--no-maglev"]);
}

/**
 * Sets them, or returns why it cannot. V8 reads these when it next decides to optimize, so this must run before any
 * code is hot.
 */
export function applyV8Flags(
  execArgv: readonly string[] = process.execArgv,
  maglev: string | undefined = process.env.RBAC_GATE_MAGLEV,
): string | undefined {
  const flags = v8FlagsFor(execArgv, maglev);
  if (!flags.ok) return flags.error;
  for (const flag of flags.value) setFlagsFromString(flag);
  return undefined;
}
