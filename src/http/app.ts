/**
 * The HTTP application: one endpoint per dialect (never sniffed), plus health. The dialect endpoints are matched
 * first on the raw URL and served by plain node:http handlers: every request through the proxy pays for whatever
 * runs here, so no express routing or middleware sits on that path. Everything else goes through express.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import express from "express";
import type { IdentityHeaderNames } from "../core/decision.js";
import type { Gate } from "../gate/decide.js";
import type { Metrics } from "../metrics/metrics.js";
import type { AuditLog } from "./audit.js";
import { authEndpoint } from "./auth-endpoint.js";

export interface AppDeps {
  /** The ingress-nginx auth-url gate. */
  readonly ingressNginx: Gate;
  readonly identityHeaders: IdentityHeaderNames;
  readonly audit: AuditLog;
  readonly metrics?: Metrics;
  /** Whether everything the service needs has loaded. */
  readonly ready: () => boolean;
}

/** The path of a request-target, without query. */
const pathOf = (url: string | undefined) => {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q === -1 ? u : u.slice(0, q);
};

export function createApp(deps: AppDeps): RequestListener {
  // Any method: GET is what nginx's auth_request subrequest always is; others are ingress-nginx's auth-method.
  const endpoints = new Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>([
    [
      "/auth",
      authEndpoint({
        dialect: "ingress-nginx",
        gate: deps.ingressNginx,
        identityHeaders: deps.identityHeaders,
        audit: deps.audit,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      }),
    ],
  ]);

  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.set("query parser", false);
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").end("ok\n");
  });
  app.get("/readyz", (_req, res) => {
    const ready = deps.ready();
    res
      .status(ready ? 200 : 503)
      .type("text/plain")
      .end(ready ? "ok\n" : "not ready\n");
  });
  app.use((_req, res) => {
    res.status(404).type("text/plain").end("Not Found\n");
  });

  return (req, res) => {
    const endpoint = endpoints.get(pathOf(req.url));
    if (!endpoint) {
      app(req, res);
      return;
    }
    // A fault after the answer (a logging failure, say) must never become an unhandled rejection: fail closed.
    endpoint(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}
