/**
 * Attack traffic for end-to-end tests and benchmarks: bursts of concurrent requests through nginx, each with
 * credentials of its own, from a chosen loopback source address (nginx reports it as X-Real-IP, so rbac-gate sees
 * distinct clients). Loopback only, bounded in count: every burst is a given number of requests.
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

/** A client that sends bursts of concurrent requests from one loopback address, over kept-alive connections. */
export interface Flooder {
  /**
   * Sends `count` requests at once, each with headers of its own from `make` (a distinct credential each time), and
   * resolves with every answer (status 0: the connection failed).
   */
  burst(count: number, make: () => Record<string, string>): Promise<Timed[]>;
  close(): void;
}

/**
 * The connections stay open between bursts (as an attacker keeps them), so that after the first burst a burst is
 * requests in flight, not a storm of connects.
 */
export function createFlooder(port: number, localAddress: string): Flooder {
  // Every connection stays open between bursts (the agent's default keeps 256 idle ones and closes the rest, and
  // a burst of reconnects overflows nginx's listen queue: dropped SYNs that delay everyone by seconds).
  const agent = new Agent({
    keepAlive: true,
    maxSockets: Number.POSITIVE_INFINITY,
    maxFreeSockets: Number.POSITIVE_INFINITY,
    localAddress,
  });
  return {
    burst: (count, make) =>
      Promise.all(
        Array.from({ length: count }, () => timedGet(port, make(), { agent }).catch(() => ({ status: 0, ms: 0 }))),
      ),
    close: () => agent.destroy(),
  };
}

/** Answers by status. */
export function byStatus(answers: readonly Timed[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
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
