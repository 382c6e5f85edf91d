/**
 * One hash worker thread: verifies one password at a time, synchronously, so each thread is one of the hashes the
 * pool computes at once. The pool sends it the JavaScript schemes (bcrypt runs in its native addon instead); it
 * verifies any scheme.
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
