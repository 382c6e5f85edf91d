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
 */
import { Worker } from "node:worker_threads";
import { type Attempt, type PasswordCheck, PasswordCheckUnavailable } from "./check.js";
import { FairQueue, type FairQueueLimits, type Ticket } from "./fair-queue.js";
import type { HashRequest } from "./hash-worker.js";
import type { HtpasswdEntry } from "./parse.js";

export interface HashPoolOptions {
  readonly workers: number;
  readonly deadlineMs: number;
  readonly queue: FairQueueLimits;
  /** Told how every check ended, with the seconds from asking to answer. */
  readonly onOutcome?: (outcome: HashOutcome, seconds: number) => void;
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
  readonly worker: Worker;
  job?: Job;
}

// Under tests the sources are TypeScript: the worker then loads through tsx, as the tests themselves do.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER = new URL(FROM_SOURCE ? "./hash-worker.ts" : "./hash-worker.js", import.meta.url);
const WORKER_HEAP_MB = 64;
/** A worker that dies before it is online (it cannot load) is replaced after this pause, not in a tight loop. */
const RESPAWN_PAUSE_MS = 1000;
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

  constructor(private readonly options: HashPoolOptions) {
    this.queue = new FairQueue(options.queue);
    for (let i = 0; i < options.workers; i++) this.spawn();
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
    for (let t = this.queue.next(); t; t = this.queue.next()) t.value.settle("busy");
    await Promise.all(
      [...this.slots].map(async (slot) => {
        if (slot.job) await new Promise((resolve) => slot.worker.once("message", resolve).once("exit", resolve));
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
    // The thread may be inside native code (bcrypt): terminate() takes effect when it returns; the replacement
    // starts at once, so the pool never has more than workers threads computing for it.
    void slot.worker.terminate();
    this.spawn();
  }

  private spawn(): void {
    if (this.closed) return;
    const worker = new Worker(WORKER, {
      ...(FROM_SOURCE ? { execArgv: ["--import", "tsx"] } : {}),
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    const slot: Slot = { worker };
    let online = false;
    worker.once("online", () => {
      online = true;
    });
    worker.on("message", (verified: boolean) => {
      const { job } = slot;
      if (!job) return;
      slot.job = undefined;
      job.settle(verified ? "verified" : "wrong");
      this.dispatch();
    });
    const lost = () => {
      if (!this.slots.delete(slot)) return;
      slot.job?.settle("failed");
      if (online) this.spawn();
      else setTimeout(() => this.spawn(), RESPAWN_PAUSE_MS).unref();
      this.dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", lost);
    this.slots.add(slot);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const ticket = this.queue.next();
      if (!ticket) return;
      const job = ticket.value;
      job.slot = slot;
      slot.job = job;
      slot.worker.postMessage(job.request);
    }
  }
}
