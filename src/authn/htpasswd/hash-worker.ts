/**
 * One hash worker thread: verifies one password at a time, synchronously, so the pool's size is exactly the
 * number of hashes computed at once and libuv's shared thread pool (DNS, files) is never taken by bcrypt.
 */
import { parentPort } from "node:worker_threads";
import type { HtpasswdEntry } from "./parse.js";
import { verifyPasswordSync } from "./verify.js";

export interface HashRequest {
  readonly password: string;
  readonly entry: HtpasswdEntry;
}

parentPort?.on("message", ({ password, entry }: HashRequest) => {
  parentPort?.postMessage(verifyPasswordSync(password, entry));
});
