/**
 * The express application: one endpoint per dialect (never sniffed), plus health. No body parsing and no other
 * middleware run on the auth path: every request through the proxy pays for whatever runs here.
 */
import express, { type Express } from "express";
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

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.set("query parser", false);

  // GET is what nginx's auth_request subrequest always is; any other method is ingress-nginx's auth-method.
  app.all(
    "/auth",
    authEndpoint({
      dialect: "ingress-nginx",
      gate: deps.ingressNginx,
      identityHeaders: deps.identityHeaders,
      audit: deps.audit,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    }),
  );
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
  return app;
}
