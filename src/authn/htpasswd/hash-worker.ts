/**
 * One hash worker thread: verifies one password at a time, synchronously, so the pool's size is exactly the
 * number of hashes computed at once and libuv's shared thread pool (DNS, files) is never taken by bcrypt.
 */
import { parentPort } from "node:worker_threads";
import { READY } from "./hash-thread.js";
import type { HtpasswdEntry } from "./parse.js";
import { verifyPasswordSync } from "./verify.js";

export interface HashRequest {
  readonly password: string;
  readonly entry: HtpasswdEntry;
}

parentPort?.on("message", ({ password, entry }: HashRequest) => {
  parentPort?.postMessage(verifyPasswordSync(password, entry));
});
// Once this module and the hash libraries it imports (bcrypt's native addon) have loaded.
parentPort?.postMessage(READY);
