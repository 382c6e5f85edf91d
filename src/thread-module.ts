/**
 * A worker thread's module, beside the module that starts it. Under tests the sources are TypeScript: the worker
 * then loads through tsx, as the tests themselves do; compiled, it is the .js file beside the caller's.
 */
import type { WorkerOptions } from "node:worker_threads";

export interface ThreadModule {
  readonly url: URL;
  /** What the Worker needs to load it (execArgv under tests), for spreading into its options. */
  readonly options: WorkerOptions;
}

/** @param name the module's path relative to the caller, without extension ("./hash-worker"). */
export function threadModule(name: string, callerUrl: string): ThreadModule {
  const fromSource = callerUrl.endsWith(".ts");
  return {
    url: new URL(`${name}${fromSource ? ".ts" : ".js"}`, callerUrl),
    options: fromSource ? { execArgv: ["--import", "tsx"] } : {},
  };
}
