/**
 * A hash thread of the pool: hash-worker.ts on a worker thread with a small heap of its own. It posts READY once it
 * has loaded; until then it must not be terminated (that aborts the process while bcrypt's addon loads).
 */
import { Worker } from "node:worker_threads";

/** What the pool uses of a worker thread (tests pass a fake). */
export type HashThread = Pick<Worker, "postMessage" | "terminate" | "on" | "once" | "ref" | "unref">;

/** The worker's message once loaded (hash-worker.ts posts it). */
export const READY = "ready";

// Under tests the sources are TypeScript: the worker then loads through tsx, as the tests themselves do.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER = new URL(FROM_SOURCE ? "./hash-worker.ts" : "./hash-worker.js", import.meta.url);
const WORKER_HEAP_MB = 64;

export const startHashWorker = (): HashThread =>
  new Worker(WORKER, {
    ...(FROM_SOURCE ? { execArgv: ["--import", "tsx"] } : {}),
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
