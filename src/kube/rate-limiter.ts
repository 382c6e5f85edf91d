/**
 * Client-side rate limit for apiserver calls: a token bucket of `burst` tokens refilled at `qps` per second.
 * Callers wait in order for a token. Keeps a spray of new tokens or paths from turning into an apiserver overload
 * (kube-rbac-proxy #285: the apiserver's own throttling then adds seconds to each call). The queue is bounded:
 * past maxQueue waiting callers, acquire() fails at once (the request fails closed, 500) instead of memory
 * growing with the spray.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxQueue = 10_000,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when the caller may make one call. */
  acquire(): Promise<void> {
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) {
      return Promise.reject(new Error("too many apiserver calls waiting for the client-side rate limit"));
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
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
      while (this.waiting.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiting.shift()?.();
      }
      if (this.waiting.length > 0) this.schedule();
    }, wait);
  }
}
