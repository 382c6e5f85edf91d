/**
 * Password hashes computed off the event loop, on a fixed number of worker threads, each computing one hash at a
 * time. Checks wait in a bounded FairQueue (round-robin by htpasswd source and client address, with per-source,
 * per-address and per-user shares), and each has a deadline counted from when it was asked for:
 * - past its share or a full queue, a check is refused at once ("busy");
 * - still waiting at its deadline, it leaves the queue unevaluated ("deadline");
 * - still running at its deadline, its answer is abandoned and its worker terminated and replaced, so a slow
 *   hash can hold one worker for at most the deadline.
 * Each of these throws PasswordCheckUnavailable (answered 500: the gate could not decide, fail closed). The
 * deadline sits well below the proxy's auth timeout (60 s for ingress-nginx), so a flood costs other tenants at
 * most the deadline, never a hung login.
 *
 * A worker has its own small heap (resourceLimits): a hash that exhausts it ends that worker, not the process.
 *
 * Workers start when there is a hash to compute and end after idleMs without one: each thread costs about 20 MB
 * of resident memory, and with warm password caches a replica computes no hash for long stretches. The first
 * check after a quiet spell waits for a thread to start (tens of milliseconds, beside bcrypt's own).
 */
import { type Attempt, type PasswordCheck, PasswordCheckUnavailable } from "./check.js";
import { FairQueue, type FairQueueLimits, type Ticket } from "./fair-queue.js";
import { type HashThread, READY, startHashWorker } from "./hash-thread.js";
import type { HashRequest } from "./hash-worker.js";
import type { HtpasswdEntry } from "./parse.js";

export type { HashThread } from "./hash-thread.js";

export interface HashPoolOptions {
  /** At most this many threads compute at once. */
  readonly workers: number;
  /** A thread without a hash to compute for this long ends (default 10 s: a thread costs about 15 MB resident and some 40 ms to start). */
  readonly idleMs?: number;
  readonly deadlineMs: number;
  readonly queue: FairQueueLimits;
  /** Told how every check ended, with the seconds from asking to answer. */
  readonly onOutcome?: (outcome: HashOutcome, seconds: number) => void;
  /** Starts a hash thread (default: hash-worker.ts on a worker thread); tests pass a fake. */
  readonly startThread?: () => HashThread;
}

export type HashOutcome = "verified" | "wrong" | "busy" | "deadline_queued" | "deadline_running" | "failed";

interface Job {
  readonly request: HashRequest;
  readonly started: number;
  readonly settle: (outcome: HashOutcome) => void;
  ticket?: Ticket<Job>;
  slot?: Slot;
}

interface Slot {
  readonly worker: HashThread;
  job?: Job;
  idle?: NodeJS.Timeout;
  /** Whether the thread has loaded (its "ready" message): terminating one still loading aborts the process. */
  ready?: boolean;
  /** Ended once ready. */
  stopping?: boolean;
}

/** After a worker dies before it is online (it cannot load), no worker starts for this long: no tight loop. */
const RESPAWN_PAUSE_MS = 1000;
const DEFAULT_IDLE_MS = 10_000;
const UNAVAILABLE = {
  busy: "busy",
  deadline_queued: "deadline",
  deadline_running: "deadline",
  failed: "failed",
} as const satisfies Partial<Record<HashOutcome, PasswordCheckUnavailable["reason"]>>;

export class HashPool {
  private readonly queue: FairQueue<Job>;
  private readonly slots = new Set<Slot>();
  private closed = false;
  /** While set, a worker failed to load: none starts before the timer dispatches again. */
  private paused: NodeJS.Timeout | undefined;

  constructor(private readonly options: HashPoolOptions) {
    this.queue = new FairQueue(options.queue);
  }

  /** Threads running now (for tests and metrics). */
  get threads(): number {
    return this.slots.size;
  }

  readonly check: PasswordCheck = (password: string, entry: HtpasswdEntry, attempt: Attempt) =>
    new Promise<boolean>((resolve, reject) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const job: Job = {
        request: { password, entry },
        started,
        settle: (outcome) => {
          clearTimeout(timer);
          if (job.ticket) this.queue.done(job.ticket);
          this.options.onOutcome?.(outcome, (performance.now() - started) / 1000);
          if (outcome === "verified" || outcome === "wrong") resolve(outcome === "verified");
          else reject(new PasswordCheckUnavailable(UNAVAILABLE[outcome]));
        },
      };
      const keys = { source: attempt.source, user: attempt.username, address: attempt.address ?? "" };
      const ticket = this.closed ? undefined : this.queue.enqueue(keys, job);
      if (!ticket) return job.settle("busy");
      job.ticket = ticket;
      timer = setTimeout(() => this.expire(job), this.options.deadlineMs);
      timer.unref();
      this.dispatch();
    });

  /**
   * Refuses the checks still waiting, lets running ones finish (each is bounded by the hash limits and the
   * deadline), then ends every worker.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.paused);
    for (let t = this.queue.next(); t; t = this.queue.next()) t.value.settle("busy");
    await Promise.all(
      [...this.slots].map(async (slot) => {
        clearTimeout(slot.idle);
        // Its answer, and its "ready" when still loading (terminating it then would abort the process).
        let exited = false;
        slot.worker.once("exit", () => {
          exited = true;
        });
        while (!exited && (slot.job || !slot.ready))
          await new Promise((resolve) => slot.worker.once("message", resolve).once("exit", resolve));
        await slot.worker.terminate();
      }),
    );
  }

  private expire(job: Job): void {
    if (job.slot === undefined) {
      if (job.ticket && this.queue.cancel(job.ticket)) job.settle("deadline_queued");
      return;
    }
    const { slot } = job;
    slot.job = undefined;
    this.slots.delete(slot);
    job.settle("deadline_running");
    // The thread may be inside native code (bcrypt): terminate() takes effect when it returns, and a replacement
    // starts when work waits. So a hash slower than the deadline may still compute beside the pool's workers
    // threads until it returns; the hash limits bound how long.
    this.stop(slot);
    this.dispatch();
  }

  private spawn(): Slot | undefined {
    if (this.closed || this.paused) return undefined;
    let worker: HashThread;
    try {
      worker = this.options.startThread?.() ?? startHashWorker();
    } catch {
      // No thread can be made now (a pids limit, memory): the jobs wait, and starting is tried again after a pause.
      this.pause();
      return undefined;
    }
    worker.unref();
    const slot: Slot = { worker };
    let online = false;
    worker.once("online", () => {
      online = true;
    });
    worker.on("message", (verified: boolean | typeof READY) => {
      if (verified === READY) {
        slot.ready = true;
        if (slot.stopping) void worker.terminate();
        return;
      }
      const { job } = slot;
      if (!job) return;
      slot.job = undefined;
      job.settle(verified ? "verified" : "wrong");
      this.dispatch();
    });
    const lost = () => {
      clearTimeout(slot.idle);
      if (!this.slots.delete(slot)) return;
      const { job } = slot;
      slot.job = undefined;
      job?.settle("failed");
      if (!online) this.pause();
      this.dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", lost);
    this.slots.add(slot);
    return slot;
  }

  /** No worker starts for RESPAWN_PAUSE_MS, then waiting jobs are dispatched again. */
  private pause(): void {
    if (this.paused) return;
    this.paused = setTimeout(() => {
      this.paused = undefined;
      this.dispatch();
    }, RESPAWN_PAUSE_MS);
    this.paused.unref();
  }

  /** Ends an idle worker; one that took a job in the meantime stays. */
  private retire(slot: Slot): void {
    if (slot.job || !this.slots.delete(slot)) return;
    this.stop(slot);
  }

  /**
   * Ends a thread now, or as soon as it has loaded: terminating a worker while it loads bcrypt's native addon
   * aborts the whole process (Napi::Error), so a deadline or an idle timeout never does that.
   */
  private stop(slot: Slot): void {
    clearTimeout(slot.idle);
    slot.stopping = true;
    if (slot.ready) void slot.worker.terminate();
  }

  private dispatch(): void {
    while (this.queue.size > 0) {
      // A waiting job takes an idle thread, else a new one while fewer than workers run; none can start while
      // closed or paused after a failed start, and the job then waits (bounded by its deadline).
      const slot =
        [...this.slots].find((s) => !s.job) ?? (this.slots.size < this.options.workers ? this.spawn() : undefined);
      if (!slot) break;
      const job = (this.queue.next() as Ticket<Job>).value;
      // A hash started with under a tenth of its deadline left would most likely be abandoned: dropped instead.
      if (performance.now() - job.started > this.options.deadlineMs * 0.9) {
        job.settle("deadline_queued");
        continue;
      }
      clearTimeout(slot.idle);
      job.slot = slot;
      slot.job = job;
      slot.worker.postMessage(job.request);
    }
    const idleMs = this.options.idleMs ?? DEFAULT_IDLE_MS;
    for (const slot of this.slots) {
      if (slot.job) continue;
      clearTimeout(slot.idle);
      slot.idle = setTimeout(() => this.retire(slot), idleMs);
      slot.idle.unref();
    }
  }
}
