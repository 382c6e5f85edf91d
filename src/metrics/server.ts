/** The metrics listener: GET /metrics on its own port, so scraping never shares the auth endpoint's port. */
import type { Server } from "node:http";
import { http } from "../node-http.js";
import type { ScrapedMetrics } from "./metrics.js";

export function createMetricsServer(metrics: ScrapedMetrics): Server {
  return http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
}
