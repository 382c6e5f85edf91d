/**
 * The health listener: /healthz and /readyz on a port of their own, answered by a worker thread (probe-worker.ts)
 * from a heartbeat this thread writes into shared memory. Probes then measure whether the main event loop is alive,
 * not how long its queue is: under a flood of logins the loop may be busy for a few hundred milliseconds at a time,
 * which must not fail a probe, while a loop that does not beat for `staleAfterMs` is one to restart.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { BEAT, READY } from "./probe-worker.js";

export interface HealthListenerOptions {
  readonly address: string;
  readonly port: number;
  /** A main loop that has not beaten for this long fails both probes. */
  readonly staleAfterMs: number;
  /** Whether the service is ready (read at every beat). */
  readonly ready: () => boolean;
  /**
   * Called once if the thread ends while it should be serving (an error, its memory limit): probes would then fail
   * for good, so the caller ends the process, loudly, rather than be restarted by the kubelet without a word.
   */
  readonly onFailure?: (reason: string) => void;
}

export interface HealthListener {
  /** The port bound (the configured one, or the one the system chose for 0). */
  readonly port: number;
  /** Readiness fails from now on (shutdown has begun), whatever `ready` says. */
  readonly drain: () => void;
  readonly close: () => Promise<void>;
}

/** How often the main thread beats: far below any sensible staleAfterMs, and cheap (one timer, two stores). */
const BEAT_INTERVAL_MS = 100;

// The worker's source next to this file, whichever form this file runs in (.ts from source, .js from dist).
const WORKER_URL = new URL(`./probe-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export async function startHealthListener(options: HealthListenerOptions): Promise<HealthListener> {
  const shared = new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT);
  const cells = new BigInt64Array(shared);
  let draining = false;
  const beat = () => {
    Atomics.store(cells, READY, !draining && options.ready() ? 1n : 0n);
    Atomics.store(cells, BEAT, process.hrtime.bigint());
  };
  beat();
  const worker = new Worker(WORKER_URL, {
    workerData: {
      probeWorker: true,
      shared,
      address: options.address,
      port: options.port,
      staleAfterMs: options.staleAfterMs,
    },
    // A small heap: the thread holds one server and answers two fixed strings.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    stdout: false,
    stderr: false,
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", (message: { listening?: number; error?: string }) => {
      if (message.listening !== undefined) resolve(message.listening);
      else reject(new Error(message.error ?? "the health listener did not start"));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the health listener exited (${code})`)));
  });
  const timer = setInterval(beat, BEAT_INTERVAL_MS);
  timer.unref();
  worker.unref();
  let closing = false;
  const failed = (reason: string) => {
    if (!closing) options.onFailure?.(reason);
    closing = true;
  };
  worker.on("error", (error) => failed(error.message));
  worker.on("exit", (code) => failed(`the thread exited (${code})`));
  worker.on("message", (message: { error?: string }) => {
    if (message.error !== undefined) failed(message.error);
  });
  return {
    port,
    drain: () => {
      draining = true;
      beat();
    },
    close: async () => {
      closing = true;
      clearInterval(timer);
      // The thread and the fallback timer hold the event loop until the thread has ended: at shutdown nothing else
      // may be left, and the process would otherwise end here, before the caller's last log line and its flush.
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("close");
      let fallback: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (fallback = setTimeout(r, 1000)))]);
      clearTimeout(fallback);
      await worker.terminate();
    },
  };
}
