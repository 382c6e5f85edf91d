/**
 * The configuration, read and validated in a thread of its own that ends with it: what the running service gets is
 * the same Result as load.ts's (structured-cloned, then frozen again), but the main thread never loads the YAML
 * parser and the schema validator. Those hold about 5 MB of heap for good once loaded (an ES module is never
 * unloaded), heap that every full garbage collection would mark again, on every request's thread
 * (docs/performance.md). A start or reload costs a thread's start, about 0.2 s, and its memory while it runs.
 */
import { Worker } from "node:worker_threads";
import { threadModule } from "../thread-module.js";
import { fail, type Result } from "../vocabulary/result.js";
import { type Config, deepFreeze } from "./config.js";

const WORKER = threadModule("./parse-worker", import.meta.url);

type Loaded = Result<Config, readonly string[]>;

/**
 * The thread's Result. Rejects when the thread gives none (it cannot start, fails or ends without one): that is no
 * verdict on the configuration, and a reload must not remember it as one.
 */
function inThread(job: object): Promise<Loaded> {
  return new Promise<Loaded>((resolve, reject) => {
    const worker = new Worker(WORKER.url, { ...WORKER.options, workerData: job });
    worker.once("message", (result: Loaded) => {
      resolve(result.ok ? { ok: true, value: deepFreeze(result.value) } : result);
    });
    worker.once("error", (error) => reject(new Error(`the configuration thread failed: ${error.message}`)));
    // After a message or an error this settles nothing more: a promise settles once.
    worker.once("exit", (code) => reject(new Error(`the configuration thread ended without an answer (exit ${code})`)));
  });
}

/** loadConfigFile (load.ts) in its own thread, for the start: a thread that gives no Result is a refusal too. */
export const loadConfigInThread = (path: string): Promise<Loaded> =>
  inThread({ path }).catch((error: Error) => fail([error.message]));

/** parseConfig (load.ts) in its own thread; rejects when the thread gives no Result (see inThread). */
export const parseConfigInThread = (text: string, baseDir: string, fileName?: string): Promise<Loaded> =>
  inThread(fileName === undefined ? { text, baseDir } : { text, baseDir, fileName });
