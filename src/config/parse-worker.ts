/**
 * The configuration thread's body (load-in-thread.ts): parses one configuration, posts the Result back, and ends.
 * workerData is either { path } (read the file) or { text, baseDir, fileName } (parse a text already read).
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadConfigFile, parseConfig } from "./load.js";

const job = workerData as { path: string } | { text: string; baseDir: string; fileName?: string };
const result = "path" in job ? await loadConfigFile(job.path) : parseConfig(job.text, job.baseDir, job.fileName);
parentPort?.postMessage(result);
