/**
 * node:http options of the listeners that answer auth requests (plain and TLS).
 *
 * optimizeEmptyRequests: a request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3), and
 * rbac-gate reads none anyway (an auth subrequest carries only headers). Node then hands it over with its body stream
 * already ended instead of running the stream's life cycle, which cut rbac-gate's CPU time per keep-alive request by
 * about a fifth (docs/performance.md). Requests that do carry a body are read and discarded as before.
 */
import type { RequestListener, Server } from "node:http";
import { http } from "../node-http.js";
import { releaseListenersOnClose } from "./release-on-close.js";

export const AUTH_LISTENER_OPTIONS = Object.freeze({ optimizeEmptyRequests: true });

/** The plain auth listener: node:http with these options, its closed connections releasing their listeners. */
export function createAuthServer(handler: RequestListener): Server {
  const server = http.createServer(AUTH_LISTENER_OPTIONS, handler);
  releaseListenersOnClose(server, "connection");
  return server;
}
