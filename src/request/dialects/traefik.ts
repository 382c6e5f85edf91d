/**
 * The Traefik ForwardAuth dialect (endpoint /forward-auth).
 *
 * Trusted: X-Forwarded-Method, X-Forwarded-Host and X-Forwarded-Uri, and the last entry of X-Forwarded-For. With
 * trustForwardHeader left at its default (false), the ForwardAuth middleware deletes every X-Forwarded-* header the
 * client sent before it sets its own from the request it received (req.Method, req.Host, req.URL.RequestURI(),
 * req.RemoteAddr): see writeHeader in Traefik's pkg/middlewares/auth/forward.go. A Middleware with
 * trustForwardHeader: true passes client-chosen values through, so it must never be pointed at this endpoint.
 * Never read: X-Forwarded-Proto and -Port (the decision does not depend on them), X-Original-* (ingress-nginx's,
 * and a client can send them to Traefik), any identity header. The auth request's own method and path are always
 * GET /forward-auth and say nothing about the original request.
 *
 * Routing semantics: Traefik's Path and PathPrefix matchers compare its routing path case-sensitively, and its
 * Gateway provider renders PathPrefix as Path(p) || PathPrefix(p + "/"), by whole elements as the route table does
 * (routing/routes.ts). Its routing path keeps reserved characters encoded and does not resolve encoded dots
 * (proxy-paths.ts): a request whose routing path finds another route than its normalized path is refused.
 */

import { fail, ok, type Result } from "../../vocabulary/result.js";
import type { OriginalRequest } from "../../vocabulary/types.js";
import { type CertificateReader, readTraefikPem } from "../client-certificate.js";
import {
  type Dialect,
  type DialectProblem,
  type HeaderReader,
  lastForwardedFor,
  readOriginalRequest,
} from "./dialect.js";
import { traefikRoutingPath } from "./proxy-paths.js";

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The ForwardAuth protocol's headers (Traefik's ForwardAuth, Caddy's forward_auth): X-Forwarded-Method, -Host and
 * -Uri, and the last X-Forwarded-For entry. `proxy` names the proxy's setting in the misconfiguration answer.
 */
export function readForwardAuthHeaders(
  header: HeaderReader,
  proxy: string,
  routedAs?: (target: string) => string,
): Result<OriginalRequest & { readonly uri: string }, DialectProblem> {
  const method = header("x-forwarded-method");
  const authority = header("x-forwarded-host");
  const uri = header("x-forwarded-uri");
  if (method === undefined || authority === undefined || uri === undefined) {
    return fail({
      kind: "misconfigured",
      reason: `X-Forwarded-Method, X-Forwarded-Host or X-Forwarded-Uri missing: call this endpoint only through ${proxy}`,
    });
  }
  if (CONTROL.test(uri)) return fail({ kind: "invalid", reason: "X-Forwarded-Uri has control characters" });
  const read = readOriginalRequest({
    method,
    authority,
    target: uri,
    address: lastForwardedFor(header("x-forwarded-for")),
    ...(routedAs ? { routedAs } : {}),
  });
  return read.ok ? ok({ ...read.value, uri }) : read;
}

export const traefikForwardAuth: Dialect = (header) => {
  const read = readForwardAuthHeaders(header, "Traefik's ForwardAuth", traefikRoutingPath);
  if (!read.ok) return read;
  const { uri: _uri, ...request } = read.value;
  return ok(request);
};

/**
 * X-Forwarded-Tls-Client-Cert, which the passTLSClientCert middleware (pem: true), placed before ForwardAuth, sets
 * from the TLS handshake; the router's TLS options must require a verified client certificate, so that every
 * request carries one the middleware overwrites the header with.
 */
export const traefikClientCertificate: CertificateReader = (header) =>
  readTraefikPem(header("x-forwarded-tls-client-cert"));
