/**
 * Client-side rate limit for apiserver calls: a token bucket of `burst` tokens refilled at `qps` per second, shared
 * fairly between clients. Keeps a spray of new tokens or paths from turning into an apiserver overload
 * (kube-rbac-proxy #285: the apiserver's own throttling then adds seconds to each call) without letting the sprayer
 * take every call the bucket allows.
 *
 * Fairness: each client (the request's client address) has a queue of its own, and tokens go round-robin between
 * the clients that wait, so a newcomer waits for at most one token per other waiting client, however long their
 * queues are. Bounds, each answered by a rejection at once (the request fails closed, 500) rather than by waiting:
 * - per client, at most maxPendingPerClient calls queued or in flight (a flooding address is refused, not others);
 * - overall, at most maxQueued waiting calls; a newcomer past it takes the place of the newest waiter of the
 *   longest queue, when that queue is longer than the newcomer's own, so a full queue refuses the flooders first;
 * - in time: a caller past its maxWaitMs leaves the queue (its request deadline is over; the call would be wasted).
 */

/** Why a call was refused; the message never names the client. */
export class RateLimitRejection extends Error {
  constructor(readonly reason: "client_bound" | "queue_bound" | "deadline") {
    super(
      reason === "deadline"
        ? "the request deadline passed while waiting for the client-side rate limit"
        : reason === "client_bound"
          ? "too many apiserver calls pending for this client"
          : "too many apiserver calls waiting for the client-side rate limit",
    );
  }
}

export interface RateLimiterOptions {
  readonly qps: number;
  readonly burst: number;
  /** Calls one client may have waiting or in flight. */
  readonly maxPendingPerClient: number;
  /** Waiting calls of all clients together (default 10,000). */
  readonly maxQueued?: number;
  /** Clock in milliseconds, for tests; timers are the global ones (fake them together). */
  readonly now?: () => number;
}

export interface AcquireOptions {
  /** Whose call this is; undefined clients share one queue. */
  readonly client?: string;
  /** How long the caller may wait for its turn; past it, the call is refused. Default: no limit. */
  readonly maxWaitMs?: number;
}

/** Ends a call admitted by acquire(): the client's pending count goes down. Idempotent. */
export type Release = () => void;

interface Waiter {
  readonly client: string;
  readonly resolve: (release: Release) => void;
  readonly reject: (error: RateLimitRejection) => void;
  timer?: NodeJS.Timeout;
}

const NO_CLIENT = "";

export class RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly maxPendingPerClient: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private tokens: number;
  private last: number;
  /** Waiting calls by client; the Map's order is the round-robin order (a served client moves to the end). */
  private readonly queues = new Map<string, Waiter[]>();
  /** Calls queued or in flight, by client. */
  private readonly pending = new Map<string, number>();
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimiterOptions) {
    this.qps = options.qps;
    this.burst = options.burst;
    this.maxPendingPerClient = options.maxPendingPerClient;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Calls waiting for a token, of every client. */
  get waiting(): number {
    return this.queued;
  }

  /** Resolves when the caller may make one call; call the returned Release when it is over. */
  acquire(options: AcquireOptions = {}): Promise<Release> {
    const client = options.client ?? NO_CLIENT;
    if ((this.pending.get(client) ?? 0) >= this.maxPendingPerClient) {
      return Promise.reject(new RateLimitRejection("client_bound"));
    }
    this.refill();
    if (this.queued === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve(this.admit(client));
    }
    if (this.queued >= this.maxQueued && !this.shed(client)) {
      return Promise.reject(new RateLimitRejection("queue_bound"));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { client, resolve, reject };
      if (options.maxWaitMs !== undefined) {
        waiter.timer = setTimeout(() => this.expire(waiter), Math.max(0, options.maxWaitMs));
        waiter.timer.unref?.();
      }
      const queue = this.queues.get(client);
      if (queue) queue.push(waiter);
      else this.queues.set(client, [waiter]);
      this.queued++;
      this.pending.set(client, (this.pending.get(client) ?? 0) + 1);
      this.schedule();
    });
  }

  /** Counts an admitted call as pending for its client until released. */
  private admit(client: string): Release {
    this.pending.set(client, (this.pending.get(client) ?? 0) + 1);
    return this.releaser(client);
  }

  private releaser(client: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.unpend(client);
    };
  }

  private unpend(client: string): void {
    const left = (this.pending.get(client) ?? 1) - 1;
    if (left > 0) this.pending.set(client, left);
    else this.pending.delete(client);
  }

  /** Makes room for a newcomer of `client` by refusing the newest waiter of a longer queue; false if none is. */
  private shed(client: string): boolean {
    const own = this.queues.get(client)?.length ?? 0;
    let longest: Waiter[] | undefined;
    for (const queue of this.queues.values()) if (!longest || queue.length > longest.length) longest = queue;
    if (!longest || longest.length <= own + 1) return false;
    const victim = longest.at(-1) as Waiter;
    this.remove(victim);
    victim.reject(new RateLimitRejection("queue_bound"));
    return true;
  }

  private expire(waiter: Waiter): void {
    if (!this.remove(waiter)) return;
    waiter.reject(new RateLimitRejection("deadline"));
  }

  /** Takes a waiter out of its queue (it is refused, not served); false if it was no longer there. */
  private remove(waiter: Waiter): boolean {
    const queue = this.queues.get(waiter.client);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at === -1) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(waiter.client);
    this.queued--;
    this.unpend(waiter.client);
    if (waiter.timer) clearTimeout(waiter.timer);
    return true;
  }

  /** Serves the first waiter of the next client in turn; that client goes to the end of the turn order. */
  private serveNext(): void {
    const [client, queue] = this.queues.entries().next().value as [string, Waiter[]];
    const waiter = queue.shift() as Waiter;
    this.queues.delete(client);
    if (queue.length > 0) this.queues.set(client, queue);
    this.queued--;
    if (waiter.timer) clearTimeout(waiter.timer);
    // Still pending (counted when queued): now in flight until released.
    waiter.resolve(this.releaser(client));
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, ((1 - this.tokens) / this.qps) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queued > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.serveNext();
      }
      if (this.queued > 0) this.schedule();
    }, wait);
  }
}
