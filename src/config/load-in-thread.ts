/**
 * The configuration, read and validated in a thread of its own that ends with it: what the running service gets is
 * the same Result as load.ts's (structured-cloned, then frozen again), but the main thread never loads the YAML
 * parser and the schema validator. Those hold about 5 MB of heap for good once loaded (an ES module is never
 * unloaded), heap that every full garbage collection would mark again, on every request's thread
 * (docs/performance.md). A start or reload costs a thread's start, about 0.2 s, and its memory while it runs.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { fail, type Result } from "../vocabulary/result.js";
import { type Config, deepFreeze } from "./config.js";

const WORKER_URL = new URL(`./parse-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

type Loaded = Result<Config, readonly string[]>;

/** The thread's Result; a thread that fails or ends without one is a refusal that says so, never a rejection. */
function inThread(job: object): Promise<Loaded> {
  return new Promise<Loaded>((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_URL, { workerData: job });
    } catch (error) {
      resolve(fail([`the configuration thread cannot start: ${(error as Error).message}`]));
      return;
    }
    worker.once("message", (result: Loaded) => {
      resolve(result.ok ? { ok: true, value: deepFreeze(result.value) } : result);
    });
    worker.once("error", (error) => resolve(fail([`the configuration thread failed: ${error.message}`])));
    // After a message or an error, this resolves nothing more: a promise settles once.
    worker.once("exit", (code) => resolve(fail([`the configuration thread ended without an answer (exit ${code})`])));
  });
}

/** loadConfigFile (load.ts), in its own thread. */
export const loadConfigInThread = (path: string): Promise<Loaded> => inThread({ path });

/** parseConfig (load.ts), in its own thread. */
export const parseConfigInThread = (text: string, baseDir: string, fileName?: string): Promise<Loaded> =>
  inThread(fileName === undefined ? { text, baseDir } : { text, baseDir, fileName });
