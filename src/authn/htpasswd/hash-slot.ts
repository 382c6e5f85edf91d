/**
 * The hash pool's jobs and the places that compute them: a worker thread (JavaScript schemes) or a native hash in
 * flight. A thread is never terminated while it loads: terminating a worker while it loads bcrypt's native addon
 * aborts the whole process (Napi::Error), so a deadline, an idle timeout or close() waits for its "ready".
 */

import type { PasswordCheckUnavailable } from "./check.js";
import type { Ticket } from "./fair-queue.js";
import type { HashThread } from "./hash-thread.js";
import type { HashRequest } from "./hash-worker.js";

export type HashOutcome = "verified" | "wrong" | "busy" | "deadline_queued" | "deadline_running" | "failed";

/** Why a check that ended without an answer could not be made. */
export const UNAVAILABLE = {
  busy: "busy",
  deadline_queued: "deadline",
  deadline_running: "deadline",
  failed: "failed",
} as const satisfies Partial<Record<HashOutcome, PasswordCheckUnavailable["reason"]>>;

export interface Job {
  readonly request: HashRequest;
  readonly started: number;
  /** Computed in native code rather than on a worker thread. */
  readonly native: boolean;
  /** Answers the check once; later outcomes (a native hash returning after its deadline) are ignored. */
  readonly settle: (outcome: HashOutcome) => void;
  ticket?: Ticket<Job>;
  slot?: Slot;
  /** A native hash answered at its deadline and still computing. */
  expired?: boolean;
}

/** One of the pool's `workers` places: a worker thread, or a native hash in flight (the place ends with it). */
export interface Slot {
  worker?: HashThread;
  job?: Job;
  /** The native hash computing, settled when it returns. */
  computing?: Promise<void>;
  idle?: NodeJS.Timeout;
  /** Whether the thread has loaded (its "ready" message). */
  ready?: boolean;
  /** Ended once ready. */
  stopping?: boolean;
}

/** Ends a slot's thread now, or as soon as it has loaded. */
export function stopThread(slot: Slot): void {
  clearTimeout(slot.idle);
  slot.stopping = true;
  if (slot.ready) void slot.worker?.terminate();
}

/** Waits for a slot's answer (and its thread's "ready" while it loads), then ends its thread. */
export async function endSlot(slot: Slot): Promise<void> {
  clearTimeout(slot.idle);
  await slot.computing;
  const { worker } = slot;
  if (!worker) return;
  // Held until it has ended: at shutdown nothing else may keep the process alive.
  worker.ref();
  let exited = false;
  worker.once("exit", () => {
    exited = true;
  });
  while (!exited && (slot.job || !slot.ready))
    await new Promise((resolve) => worker.once("message", resolve).once("exit", resolve));
  await worker.terminate();
}
