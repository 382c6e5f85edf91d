/**
 * Attack traffic for end-to-end tests and benchmarks: many concurrent requests through nginx, each with credentials
 * of its own, from a chosen loopback source address (nginx reports it as X-Real-IP, so rbac-gate sees distinct
 * clients). Loopback only, bounded in concurrency; a flood runs until stopped.
 */
import { Agent, request } from "node:http";

export interface Timed {
  readonly status: number;
  readonly ms: number;
}

/** One GET through nginx on 127.0.0.1:port, timed from send to the end of the answer. */
export function timedGet(
  port: number,
  headers: Record<string, string>,
  options: { readonly agent?: Agent; readonly localAddress?: string; readonly path?: string } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: options.path ?? "/",
        headers,
        agent: options.agent ?? false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export interface Flood {
  /** Answers so far, by status (0: the connection failed). */
  readonly statuses: Record<number, number>;
  /** Latencies of answers so far, by status. */
  readonly latencies: Record<number, number[]>;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * Keeps `concurrency` requests in flight from `localAddress`: each worker sends the next as soon as its previous one
 * is answered, with headers made by `make` (a distinct credential each time).
 */
export function startFlood(
  port: number,
  concurrency: number,
  localAddress: string,
  make: (i: number) => Record<string, string>,
): Flood {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, localAddress });
  const statuses: Record<number, number> = {};
  const latencies: Record<number, number[]> = {};
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped) {
      const answer = await timedGet(port, make(next++), { agent }).catch(() => ({ status: 0, ms: 0 }));
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      latencies[answer.status] ??= [];
      latencies[answer.status]?.push(answer.ms);
      // A failed connection is not retried at once: no busy loop if nginx refuses connections.
      if (answer.status === 0) await new Promise((r) => setTimeout(r, 50));
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    statuses,
    latencies,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      agent.destroy();
    },
  };
}

/** The p-th percentile (0–100) of xs by the nearest-rank method; NaN for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** A random opaque bearer token: never a valid one, and never the same twice. */
export const randomToken = (): string =>
  `flood-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
