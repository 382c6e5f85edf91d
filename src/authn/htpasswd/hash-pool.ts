/**
 * Password hashes computed off the event loop, at most `workers` at a time. bcrypt (what `htpasswd -B` and most
 * tools write) runs in its native addon on libuv's thread pool and needs no thread of its own; the other schemes are
 * JavaScript and run on worker threads, each computing one hash at a time. Checks wait in a bounded FairQueue
 * (round-robin by htpasswd source and client address, with per-source, per-address and per-user shares), and each
 * has a deadline counted from when it was asked for:
 * - past its share or a full queue, a check is refused at once ("busy");
 * - still waiting at its deadline, it leaves the queue unevaluated ("deadline");
 * - still running at its deadline, its answer is abandoned. A worker thread is terminated and replaced, so a slow
 *   JavaScript hash holds one worker for at most the deadline. Native bcrypt cannot be interrupted: it keeps its
 *   place among the `workers` until it returns (the hash limits bound how long), so no more than `workers` hashes
 *   ever compute at once.
 * Each of these throws PasswordCheckUnavailable (answered 500: the gate could not decide, fail closed). The
 * deadline sits well below the proxy's auth timeout (60 s for ingress-nginx), so a flood costs other tenants at
 * most the deadline, never a hung login. A worker has its own small heap (resourceLimits): a hash that exhausts
 * it ends that worker, not the process. Worker threads start when there is a JavaScript hash to compute and end
 * after idleMs without one: each costs 10–20 MB of resident memory.
 */
import { BCRYPT_ADDON, type NativeHashing } from "./bcrypt-addon.js";
import { type Attempt, type PasswordCheck, PasswordCheckUnavailable } from "./check.js";
import { FairQueue, type FairQueueLimits } from "./fair-queue.js";
import { endSlot, type HashOutcome, type Job, type Slot, stopThread, UNAVAILABLE } from "./hash-slot.js";
import { type HashThread, READY, startHashWorker } from "./hash-thread.js";
import type { HtpasswdEntry } from "./parse.js";

export type { HashOutcome } from "./hash-slot.js";
export type { HashThread } from "./hash-thread.js";

export interface HashPoolOptions {
  /** At most this many hashes compute at once. */
  readonly workers: number;
  /** A thread without a hash to compute for this long ends (default 10 s; one takes some 40 ms to start). */
  readonly idleMs?: number;
  readonly deadlineMs: number;
  readonly queue: FairQueueLimits;
  /** Told how every check ended, with the seconds from asking to answer. */
  readonly onOutcome?: (outcome: HashOutcome, seconds: number) => void;
  /** Starts a hash thread (default: hash-worker.ts on a worker thread); tests pass a fake. */
  readonly startThread?: () => HashThread;
  /** Schemes computed in native code without a thread (default: bcrypt by its addon); tests pass a fake. */
  readonly native?: NativeHashing;
}

/** After a worker dies before it is online (it cannot load), no worker starts for this long: no tight loop. */
const RESPAWN_PAUSE_MS = 1000;
const DEFAULT_IDLE_MS = 10_000;

export class HashPool {
  private readonly queue: FairQueue<Job>;
  private readonly slots = new Set<Slot>();
  private closed = false;
  /** While set, a worker failed to load: none starts before the timer dispatches again. */
  private paused: NodeJS.Timeout | undefined;
  private readonly native: NativeHashing;

  constructor(private readonly options: HashPoolOptions) {
    this.queue = new FairQueue(options.queue);
    this.native = options.native ?? BCRYPT_ADDON;
  }

  /** Worker threads running now (for tests and metrics). */
  get threads(): number {
    return [...this.slots].filter((slot) => slot.worker).length;
  }

  readonly check: PasswordCheck = (password: string, entry: HtpasswdEntry, attempt: Attempt) =>
    new Promise<boolean>((resolve, reject) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const job: Job = {
        request: { password, entry },
        started,
        native: this.native.schemes.has(entry.scheme),
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // A native hash past its deadline computes on: its keys keep their share until it returns.
          if (job.ticket && !(job.native && outcome === "deadline_running")) this.queue.done(job.ticket);
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
    await Promise.all([...this.slots].map(endSlot));
  }

  private expire(job: Job): void {
    if (job.slot === undefined) {
      if (job.ticket && this.queue.cancel(job.ticket)) job.settle("deadline_queued");
      return;
    }
    job.settle("deadline_running");
    // A native hash keeps its slot until it returns: nothing can stop it, and the slot bounds what computes.
    if (job.native) {
      job.expired = true;
      return;
    }
    const { slot } = job;
    slot.job = undefined;
    this.slots.delete(slot);
    stopThread(slot);
    this.dispatch();
  }

  /** A slot for one native hash, taken until it returns. */
  private place(): Slot | undefined {
    if (this.closed) return undefined;
    const slot: Slot = {};
    this.slots.add(slot);
    return slot;
  }

  private computeNatively(slot: Slot, job: Job): void {
    const done = (outcome: HashOutcome) => {
      slot.job = undefined;
      slot.computing = undefined;
      if (!slot.worker) this.slots.delete(slot);
      if (job.expired && job.ticket) this.queue.done(job.ticket);
      job.settle(outcome);
      this.dispatch();
    };
    const { password, entry } = job.request;
    slot.computing = this.native.verify(password, entry).then(
      (verified) => done(verified ? "verified" : "wrong"),
      () => done("failed"),
    );
  }

  private spawn(): Slot | undefined {
    if (this.closed || this.paused) return undefined;
    let worker: HashThread;
    try {
      worker = this.options.startThread?.() ?? startHashWorker();
    } catch {
      // No thread can be made now (a pids limit, memory): starting is tried again after a pause.
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
      if (!job || job.native) return;
      slot.job = undefined;
      job.settle(verified ? "verified" : "wrong");
      this.dispatch();
    });
    const lost = () => {
      clearTimeout(slot.idle);
      // A native hash on this slot computes on: the slot stays its place, and ends with it.
      if (slot.job?.native && this.slots.has(slot)) {
        slot.worker = undefined;
        return;
      }
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
    stopThread(slot);
  }

  private dispatch(): void {
    for (let next = this.queue.peek(); next; next = this.queue.peek()) {
      const job = next.value;
      // A waiting job takes an idle slot, else, while fewer than workers are taken, a new one: a native hash a slot
      // of its own, a JavaScript hash a new thread. While no thread can start (paused after a failure), a JavaScript
      // hash is answered at once (500) rather than holding up the native hashes queued behind it.
      const room = this.slots.size < this.options.workers;
      let slot = [...this.slots].find((s) => !s.job);
      if (!slot && room) slot = job.native ? this.place() : this.spawn();
      if (!slot && room && this.paused) {
        this.queue.next();
        job.settle("failed");
        continue;
      }
      if (!slot) break;
      this.queue.next();
      // A hash started with under a tenth of its deadline left would most likely be abandoned: dropped instead.
      if (performance.now() - job.started > this.options.deadlineMs * 0.9) {
        if (!slot.worker) this.slots.delete(slot);
        job.settle("deadline_queued");
        continue;
      }
      clearTimeout(slot.idle);
      job.slot = slot;
      slot.job = job;
      if (job.native) this.computeNatively(slot, job);
      else slot.worker?.postMessage(job.request);
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
