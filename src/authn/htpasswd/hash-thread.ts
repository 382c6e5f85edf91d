/**
 * A hash thread of the pool: hash-worker.ts on a worker thread with a small heap of its own. It posts READY once it
 * has loaded; until then it must not be terminated (that aborts the process while bcrypt's addon loads).
 */
import { Worker } from "node:worker_threads";
import { threadModule } from "../../thread-module.js";

/** What the pool uses of a worker thread (tests pass a fake). */
export type HashThread = Pick<Worker, "postMessage" | "terminate" | "on" | "once" | "ref" | "unref">;

/** The worker's message once loaded (hash-worker.ts posts it). */
export const READY = "ready";

const WORKER = threadModule("./hash-worker", import.meta.url);
const WORKER_HEAP_MB = 64;

export const startHashWorker = (): HashThread =>
  new Worker(WORKER.url, {
    ...WORKER.options,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
