/**
 * The Envoy HTTP ext_authz dialect (endpoint prefix /ext-authz), used by Envoy Gateway (SecurityPolicy extAuth.http)
 * and Istio (envoyExtAuthzHttp provider).
 *
 * Envoy's HTTP authorization request is the original request re-addressed: same method, the original path
 * (query included) appended to the configured path_prefix, the original authority in Host. Of the client's headers
 * only Authorization (and Content-Length, set to 0) pass by default, plus those an operator allows
 * (HttpService and AuthorizationRequest.allowed_headers in envoy's ext_authz.proto). So the original request is
 * read from the auth request's own request line and Host, which the client cannot set apart from the request it
 * actually sends. Trusted besides: the last entry of X-Forwarded-For, when an operator forwards it (Envoy at the
 * edge appends the address it saw). Never read: X-Forwarded-Host, -Uri, -Method, X-Original-*, X-Envoy-Original-Path
 * (each is a header a client can send and an operator might allow through), any identity header.
 *
 * Routing semantics: Envoy matches the path as sent (after its own normalize_path and merge_slashes, when on),
 * neither percent-decoded nor case-folded; Gateway API PathPrefix by whole elements. A request whose path as sent
 * finds another route than its normalized path ("/%61dmin", "//admin" without merge_slashes) is refused.
 */

import { fail } from "../../vocabulary/result.js";
import { type CertificateReader, readXfcc } from "../client-certificate.js";
import { type Dialect, lastForwardedFor, readOriginalRequest } from "./dialect.js";
import { envoyReadings } from "./proxy-paths.js";

/** The path prefix the proxy is configured with (Envoy Gateway `path`, Istio `pathPrefix`). */
export const EXT_AUTHZ_PREFIX = "/ext-authz";

export const envoyExtAuthz: Dialect = (header, line) => {
  const authority = header("host");
  if (line === undefined || authority === undefined || !line.target.startsWith(EXT_AUTHZ_PREFIX)) {
    return fail({
      kind: "misconfigured",
      reason: `the original request must arrive as ${EXT_AUTHZ_PREFIX}<path> with its Host: set the proxy's path prefix to ${EXT_AUTHZ_PREFIX}`,
    });
  }
  // "/ext-authz" alone is the original path "" (Envoy never sends one), "/ext-authz?x" is not a path either.
  return readOriginalRequest({
    method: line.method,
    authority,
    target: line.target.slice(EXT_AUTHZ_PREFIX.length),
    address: lastForwardedFor(header("x-forwarded-for")),
    readings: envoyReadings,
  });
};

/**
 * x-forwarded-client-cert, which Envoy sets from the TLS handshake and strips from the client's request with
 * forward_client_cert_details SANITIZE_SET (Envoy Gateway: ClientTrafficPolicy headers.xForwardedClientCert mode
 * SanitizeSet); the operator must also let it reach the authorization request (allowed headers).
 */
export const envoyClientCertificate: CertificateReader = (header) => readXfcc(header("x-forwarded-client-cert"));
