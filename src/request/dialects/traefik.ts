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

import { type CertificateReader, readTraefikPem } from "../client-certificate.js";
import type { Dialect } from "./dialect.js";
import { readForwardAuthHeaders } from "./forward-auth.js";
import { traefikReadings } from "./proxy-paths.js";

export const traefikForwardAuth: Dialect = (header) =>
  readForwardAuthHeaders(header, "Traefik's ForwardAuth", traefikReadings);

/**
 * X-Forwarded-Tls-Client-Cert, which the passTLSClientCert middleware (pem: true), placed before ForwardAuth, sets
 * from the TLS handshake; the router's TLS options must require a verified client certificate, so that every
 * request carries one the middleware overwrites the header with.
 */
export const traefikClientCertificate: CertificateReader = (header) =>
  readTraefikPem(header("x-forwarded-tls-client-cert"));
