/**
 * The Caddy forward_auth dialect (endpoint /caddy).
 *
 * Caddy's forward_auth speaks the ForwardAuth protocol: it sets X-Forwarded-Method ({http.request.method}) and
 * X-Forwarded-Uri ({http.request.uri}) over whatever the client sent, and reverse_proxy sets X-Forwarded-Host and
 * X-Forwarded-For from the request it received — unless `trusted_proxies` covers the client, which then keeps
 * its own X-Forwarded-Host. So the Caddyfile must pin `header_up X-Forwarded-Host {host}` (docs/caddy.md). The
 * headers are read as on /forward-auth (forward-auth.ts); what differs is routing:
 *
 * - Caddy's path matcher folds case and, up to 2.6, trims trailing dots and spaces (caddy-paths.ts): the route is
 *   looked up under every such reading (OriginalRequest.routingPaths) in a table of lower-cased route paths, and a
 *   request whose readings find different routes is refused.
 * - Caddy compares hosts without removing a trailing dot: "app.example." is another site than "app.example" to
 *   Caddy, so a host with one is refused rather than decided as the host without it.
 *
 * No client certificate is read: Caddy has no header of its own for one.
 */

import { fail } from "../../vocabulary/result.js";
import type { CertificateReader } from "../client-certificate.js";
import { caddyPathReadings } from "./caddy-paths.js";
import type { Dialect } from "./dialect.js";
import { readForwardAuthHeaders } from "./forward-auth.js";

/** The endpoint Caddy's forward_auth is pointed at (`uri /caddy`). */
export const CADDY_PATH = "/caddy";

const TRAILING_DOT = /\.(?::\d*)?$/;

export const caddyForwardAuth: Dialect = (header) => {
  const read = readForwardAuthHeaders(header, "Caddy's forward_auth", ({ decoded }) => caddyPathReadings(decoded));
  if (read.ok && TRAILING_DOT.test(header("x-forwarded-host") ?? "")) {
    return fail({ kind: "invalid", reason: "host ends with a dot, which Caddy matches as another site" });
  }
  return read;
};

const NO_CERTIFICATE = Object.freeze({ kind: "none" as const });
export const caddyClientCertificate: CertificateReader = () => NO_CERTIFICATE;
