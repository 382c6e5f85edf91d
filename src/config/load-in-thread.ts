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
import type { Result } from "../vocabulary/result.js";
import { type Config, deepFreeze } from "./config.js";

const WORKER_URL = new URL(`./parse-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

type Loaded = Result<Config, readonly string[]>;

function inThread(job: object): Promise<Loaded> {
  return new Promise<Loaded>((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: job });
    let answered = false;
    worker.once("message", (result: Loaded) => {
      answered = true;
      resolve(result.ok ? { ok: true, value: deepFreeze(result.value) } : result);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!answered) reject(new Error(`the configuration thread ended without an answer (exit ${code})`));
    });
  });
}

/** loadConfigFile (load.ts), in its own thread. */
export const loadConfigInThread = (path: string): Promise<Loaded> => inThread({ path });

/** parseConfig (load.ts), in its own thread. */
export const parseConfigInThread = (text: string, baseDir: string, fileName?: string): Promise<Loaded> =>
  inThread(fileName === undefined ? { text, baseDir } : { text, baseDir, fileName });
