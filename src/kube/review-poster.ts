/**
 * POSTs TokenReviews and SubjectAccessReviews to the apiserver over one pool of keep-alive connections.
 *
 * Why not the generated clients: @kubernetes/client-node 2.0.1 builds a new https.Agent for every request
 * (kubernetes-client/javascript#2893), so every review paid a new TLS handshake and left an agent behind: about
 * 30 KB of resident memory per call under a spray of invalid tokens. The KubeConfig still supplies everything
 * (server, CA, client certificate, token); credentials are re-read every minute, so rotating ServiceAccount tokens
 * keep working.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

export interface ReviewPoster {
  post(path: string, body: object): Promise<Record<string, unknown>>;
  close(): void;
}

const CREDENTIALS_TTL_MS = 60_000;

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
        ? new HttpsAgent({
            keepAlive: true,
            maxSockets: 64,
            ...(options.ca ? { ca: options.ca } : {}),
            ...(options.cert ? { cert: options.cert } : {}),
            ...(options.key ? { key: options.key } : {}),
            rejectUnauthorized: options.rejectUnauthorized !== false,
          })
        : new HttpAgent({ keepAlive: true, maxSockets: 64 });
      // A client certificate may have rotated too: a new pool, the old one closes when idle.
      const previous = agent;
      agent = next;
      previous?.destroy();
    }
    loadedAt = Date.now();
  };

  return {
    async post(path, body) {
      await credentials();
      const payload = JSON.stringify(body);
      const send = tls ? httpsRequest : httpRequest;
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
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`POST ${path} timed out after ${timeoutMs} ms`)));
        req.on("error", reject);
        req.end(payload);
      });
    },
    close() {
      agent?.destroy();
    },
  };
}
