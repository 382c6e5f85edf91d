/**
 * V8 settings rbac-gate gives itself at start, before its own code is loaded, so that every way of running it (the
 * image, the package's bin, `npm start`) gets them. Node.js refuses these in NODE_OPTIONS, where the chart's heap
 * caps are.
 *
 * Maglev, V8's middle optimizing tier, stays on by default. RBAC_GATE_MAGLEV=off turns it off (--no-maglev) for
 * 6–9 MB less peak resident memory, at a price in CPU: without Maglev, the object literal in Node.js's
 * process.nextTick() (computed symbol keys) stays on V8's runtime path, about 20 runtime calls per Connection: close
 * request and 8 per keep-alive one, against none with Maglev; and new processes start 10–110 ms later and serve
 * 35–45 % fewer requests in their first two seconds at full load, because Node.js's built-in code cache does not
 * match changed flags (docs/performance.md, "Maglev back on").
 *
 * A choice made on node's own command line (`node --no-maglev dist/main.js`) wins: nothing is set over it.
 */
import { setFlagsFromString } from "node:v8";
import { fail, ok, type Result } from "./vocabulary/result.js";

// V8 takes one or two dashes, "no" with or without a dash, and "_" for "-".
const MAGLEV = /^--?(no-?)?maglev$/;

/** The flags to set, given node's own command-line options (process.execArgv) and RBAC_GATE_MAGLEV. */
export function v8FlagsFor(execArgv: readonly string[], maglev: string | undefined): Result<string[]> {
  if (maglev !== undefined && maglev !== "on" && maglev !== "off")
    return fail(`RBAC_GATE_MAGLEV has "${maglev}": it must be on or off`);
  const chosenByNode = execArgv.some((option) => MAGLEV.test(option.replaceAll("_", "-")));
  return ok(maglev === "off" && !chosenByNode ? ["--no-maglev"] : []);
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
