/**
 * The health listener's thread: GET /healthz and /readyz answered from the main thread's heartbeat, so that a probe
 * gets its answer in milliseconds while the main event loop is busy (a flood of logins, a long garbage collection),
 * and a 503 when the main loop has not beaten for `staleAfterMs` (it is wedged: the kubelet should restart it).
 *
 * Self-contained on purpose (node: imports only, erasable TypeScript): a worker thread is its own module graph, and
 * this file loads as it is under Node's type stripping, tsx, and compiled to dist.
 */
import { createRequire } from "node:module";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

// Required, not imported: an ESM import of node:http loads undici, which this thread never uses (see node-http.ts).
const { createServer } = createRequire(import.meta.url)("node:http") as typeof import("node:http");

/** What the main thread shares: BEAT (its last beat, hrtime in ns) and READY (1 when ready, 0 otherwise). */
export const BEAT = 0;
export const READY = 1;

export interface ProbeState {
  /** Nanoseconds since the main thread's last beat (process.hrtime, monotonic and shared by every thread). */
  readonly sinceBeatNs: bigint;
  readonly ready: boolean;
}

export interface ProbeAnswer {
  readonly status: number;
  readonly body: string;
}

/** The answer to one probe. Liveness: the main loop beats. Readiness: it beats, and the service is ready. */
export function probeAnswer(path: string, state: ProbeState, staleAfterMs: number): ProbeAnswer {
  const beating = state.sinceBeatNs <= BigInt(staleAfterMs) * 1_000_000n;
  if (path === "/healthz")
    return beating ? { status: 200, body: "ok\n" } : { status: 503, body: "event loop stalled\n" };
  if (path === "/readyz") {
    if (!beating) return { status: 503, body: "event loop stalled\n" };
    return state.ready ? { status: 200, body: "ok\n" } : { status: 503, body: "not ready\n" };
  }
  return { status: 404, body: "Not Found\n" };
}

export interface ProbeWorkerData {
  readonly shared: SharedArrayBuffer;
  readonly address: string;
  readonly port: number;
  readonly staleAfterMs: number;
}

/**
 * The path of a request-target, without query: request/normalize.ts targetPath, written again because this thread
 * loads as a self-contained module (node: imports only).
 */
const pathOf = (url: string) => {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
};

/**
 * Bounds of the probes' server: a kubelet sends one small request per probe and waits a second or so, so anything
 * else reaching the port (any pod, without a NetworkPolicy) gets little: few connections, small headers, short
 * timeouts, no keep-alive. Past MAX_CONNECTIONS new connections are closed at once, and the thread's memory stays
 * far below its heap limit whatever arrives.
 */
const MAX_CONNECTIONS = 32;
const TIMEOUT_MS = 2_000;
const MAX_HEADER_BYTES = 1024;

function serve(data: ProbeWorkerData): void {
  const cells = new BigInt64Array(data.shared);
  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: TIMEOUT_MS, headersTimeout: TIMEOUT_MS, keepAlive: false },
    (req, res) => {
      const state = {
        sinceBeatNs: process.hrtime.bigint() - Atomics.load(cells, BEAT),
        ready: Atomics.load(cells, READY) === 1n,
      };
      const answer =
        req.method === "GET" || req.method === "HEAD"
          ? probeAnswer(pathOf(req.url ?? "/"), state, data.staleAfterMs)
          : { status: 405, body: "Method Not Allowed\n" };
      res
        .writeHead(answer.status, { "Content-Type": "text/plain", "Cache-Control": "no-store", Connection: "close" })
        .end(answer.body);
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.keepAliveTimeout = 0;
  server.on("connection", (socket) => socket.setTimeout(TIMEOUT_MS, () => socket.destroy()));
  server.on("error", (error) => parentPort?.postMessage({ error: error.message }));
  server.listen(data.port, data.address, () => {
    const bound = server.address();
    parentPort?.postMessage({ listening: typeof bound === "object" && bound ? bound.port : data.port });
  });
  parentPort?.on("message", (message) => {
    if (message === "close") server.close(() => parentPort?.close());
  });
}

if (!isMainThread && workerData && (workerData as { probeWorker?: boolean }).probeWorker) {
  serve(workerData as ProbeWorkerData);
}
