/**
 * POSTs TokenReviews and SubjectAccessReviews to the apiserver over one pool of keep-alive connections.
 *
 * Why not the generated clients: @kubernetes/client-node 2.0.1 builds a new https.Agent for every request
 * (kubernetes-client/javascript#2893), so every review paid a new TLS handshake and left an agent behind: about
 * 30 KB of resident memory per call under a spray of invalid tokens. The KubeConfig still supplies everything
 * (server, CA, client certificate, token); credentials are re-read every minute, so rotating ServiceAccount tokens
 * keep working.
 *
 * Reviews create nothing, so a failed attempt is sent again once, as client-go does, when the apiserver asked for
 * it (429 from API Priority and Fairness, after its Retry-After, at most 1 s) or when a kept-alive connection was
 * closed under the request (ECONNRESET on a reused socket); never past the timeout. The timeout is the caller's
 * remaining deadline when it gives one (the time spent waiting for the rate limit already counted against it).
 */
import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import type { Agent as HttpsAgent, RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { http, https } from "../node-http.js";

export interface ReviewPoster {
  /** @param timeoutMs what is left of the caller's deadline (default: the poster's timeout), retries included. */
  post(path: string, body: object, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

const CREDENTIALS_TTL_MS = 60_000;
const MAX_RETRY_AFTER_MS = 1000;

/** A failure worth one more attempt, and how long to wait before it. */
class Retryable extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
  }
}

export function createReviewPoster(config: KubeConfig, timeoutMs: number): ReviewPoster {
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error("no cluster in the Kubernetes client configuration");
  const url = new URL(server);
  const tls = url.protocol === "https:";
  let agent: HttpAgent | HttpsAgent | undefined;
  let headers: Record<string, string> = {};
  let loadedAt = 0;

  const credentials = async () => {
    if (agent && Date.now() - loadedAt < CREDENTIALS_TTL_MS) return;
    const options: RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    (options.agent as HttpsAgent | undefined)?.destroy(); // the per-call agent client-node made; ours is below
    headers = Object.fromEntries(
      Object.entries(options.headers ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    if (!agent || tls) {
      const next = tls
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 64,
            ...(options.ca ? { ca: options.ca } : {}),
            ...(options.cert ? { cert: options.cert } : {}),
            ...(options.key ? { key: options.key } : {}),
            rejectUnauthorized: options.rejectUnauthorized !== false,
          })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
      // A client certificate may have rotated too: a new pool, the old one closes when idle.
      const previous = agent;
      agent = next;
      previous?.destroy();
    }
    loadedAt = Date.now();
  };

  return {
    async post(path, body, budgetMs = timeoutMs) {
      const deadline = performance.now() + budgetMs;
      await credentials();
      const payload = JSON.stringify(body);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`POST ${path} timed out after ${budgetMs} ms`);
      try {
        return await attempt(path, payload, left);
      } catch (error) {
        if (!(error instanceof Retryable)) throw error;
        const left = deadline - performance.now() - error.afterMs;
        if (left <= 0) throw error;
        await new Promise((r) => setTimeout(r, error.afterMs));
        return attempt(path, payload, left).catch((again: Error) => {
          throw again instanceof Retryable ? new Error(again.message) : again;
        });
      }
    },
    close() {
      agent?.destroy();
    },
  };

  function attempt(path: string, payload: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const send = tls ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: `${url.pathname.replace(/\/$/, "")}${path}`,
          method: "POST",
          agent,
          headers: {
            ...headers,
            "Content-Type": "application/json",
            Accept: "application/json",
            "Content-Length": Buffer.byteLength(payload),
          },
        },
        (res: IncomingMessage) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => {
            if (res.statusCode === 429) {
              const seconds = Number(res.headers["retry-after"] ?? "0");
              const afterMs = Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0) * 1000, MAX_RETRY_AFTER_MS) : 0;
              reject(new Retryable(`apiserver answered 429 to POST ${path}`, afterMs));
              return;
            }
            if (res.statusCode !== 200 && res.statusCode !== 201) {
              reject(new Error(`apiserver answered ${res.statusCode} to POST ${path}`));
              return;
            }
            try {
              resolve(JSON.parse(text) as Record<string, unknown>);
            } catch {
              reject(new Error(`apiserver answered POST ${path} with invalid JSON`));
            }
          });
        },
      );
      // A deadline for the whole exchange, a free socket of the pool included (req.setTimeout only counts idle
      // time on a socket once one is assigned).
      const timer = setTimeout(
        () => req.destroy(new Error(`POST ${path} timed out after ${timeoutMs} ms`)),
        Math.max(1, timeoutMs),
      );
      req.on("close", () => clearTimeout(timer));
      req.on("error", (error: NodeJS.ErrnoException) => {
        reject(req.reusedSocket && error.code === "ECONNRESET" ? new Retryable(error.message, 0) : error);
      });
      req.end(payload);
    });
  }
}
