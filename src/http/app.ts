/**
 * The HTTP application: one endpoint per entry of the dialect table (never sniffed), plus health. The dialect endpoints are matched
 * first on the raw URL and served by plain node:http handlers: every request through the proxy pays for whatever
 * runs here, so no express routing or middleware sits on that path. Everything else goes through express, loaded
 * on the first such request: the probes have their own port, so a replica may never need it, and its module graph
 * costs about 20 MB of resident memory.
 *
 *   /auth          ingress-nginx auth-url (any method: GET, or the auth-method verb)
 *   /forward-auth  Traefik ForwardAuth (GET)
 *   /ext-authz/…   Envoy HTTP ext_authz, path_prefix /ext-authz (the original method and path)
 */
import type { RequestListener, ServerResponse } from "node:http";
import type { Express } from "express";
import type { IdentityHeaderNames } from "../decision/decision.js";
import type { Gate } from "../decision/gate.js";
import type { Metrics } from "../metrics/metrics.js";
import type { DialectEntry } from "../request/dialects/table.js";
import { targetPath } from "../request/normalize.js";
import type { AuditLog } from "./audit.js";
import { type AuthHandler, authEndpoint } from "./auth-endpoint.js";
import type { RepeatedAllows } from "./repeated-allows.js";

export interface AppDeps {
  /** One endpoint per dialect, each with its gate; all gates share one policy. */
  readonly endpoints: ReadonlyArray<{ readonly dialect: DialectEntry; readonly gate: Gate }>;
  readonly identityHeaders: IdentityHeaderNames;
  readonly audit: AuditLog;
  readonly metrics?: Metrics;
  /** Whether everything the service needs has loaded. */
  readonly ready: () => boolean;
  /** Allows remembered for identical requests, shared by the endpoints (the request-target names the endpoint). */
  readonly repeats?: RepeatedAllows;
}

export function createApp(deps: AppDeps): RequestListener {
  const handlerOf = (dialect: DialectEntry, gate: Gate): AuthHandler =>
    authEndpoint({
      dialect: dialect.name,
      gate,
      bodyReachesClient: dialect.bodyReachesClient,
      identityHeaders: deps.identityHeaders,
      audit: deps.audit,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.repeats ? { repeats: deps.repeats } : {}),
    });
  const exact = new Map<string, AuthHandler>();
  const prefixes: Array<readonly [string, AuthHandler]> = [];
  for (const { dialect, gate } of deps.endpoints) {
    if (dialect.pathIsPrefix) prefixes.push([dialect.path, handlerOf(dialect, gate)]);
    else exact.set(dialect.path, handlerOf(dialect, gate));
  }
  const route = (url: string | undefined): AuthHandler | undefined => {
    const path = targetPath(url ?? "/");
    const found = exact.get(path);
    if (found) return found;
    // The whole original path follows a prefix: "/ext-authzfoo" is not "/ext-authz".
    for (const [prefix, handler] of prefixes) {
      if (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === "/")) return handler;
    }
    return undefined;
  };

  let app: Promise<Express> | undefined;
  const loadApp = async (): Promise<Express> => {
    const { default: express } = await import("express");
    const loaded = express();
    loaded.disable("x-powered-by");
    loaded.disable("etag");
    loaded.set("query parser", false);
    loaded.get("/healthz", (_req, res) => {
      res.type("text/plain").end("ok\n");
    });
    loaded.get("/readyz", (_req, res) => {
      const ready = deps.ready();
      res
        .status(ready ? 200 : 503)
        .type("text/plain")
        .end(ready ? "ok\n" : "not ready\n");
    });
    loaded.use((_req, res) => {
      res.status(404).type("text/plain").end("Not Found\n");
    });
    return loaded;
  };

  return (req, res) => {
    const handler = route(req.url);
    if (!handler) {
      app ??= loadApp();
      app.then(
        (loaded) => loaded(req, res),
        () => res.writeHead(500).end(),
      );
      return;
    }
    // A fault (a logging failure after the answer, say) must never become an unhandled rejection or an exception
    // out of the listener: fail closed.
    try {
      handler(req, res)?.catch(() => failClosed(res));
    } catch {
      failClosed(res);
    }
  };
}

function failClosed(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500);
  res.end();
}
