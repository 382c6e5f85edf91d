/**
 * The Envoy gRPC ext_authz dialect (envoy.service.auth.v3.Authorization/Check on the gRPC listener), used by Envoy
 * Gateway (SecurityPolicy extAuth.grpc) and Istio (envoyExtAuthzGrpc provider).
 *
 * A CheckRequest carries the original request as attributes Envoy fills in itself (attribute_context.proto):
 * request.http.method, .host (the :authority it routed by), .path (the request-target, query included, not
 * decoded) and source.address (the client's address as Envoy determined it: the peer, or what its own
 * X-Forwarded-For trust settings derived). The gRPC adapter (src/grpc/check-mapping.ts) passes them as the line's
 * method, target, authority and peerAddress; this dialect reads nothing else, exactly as the HTTP dialect reads
 * its request line and Host. Unlike the HTTP service, Envoy sends every client header in the CheckRequest: none is
 * trusted here, X-Forwarded-For included (source.address is Envoy's own answer to the question it answers), and
 * the client certificate is read from x-forwarded-client-cert under the same conditions as /ext-authz.
 */

import { fail } from "../../vocabulary/result.js";
import { type Dialect, readOriginalRequest } from "./dialect.js";
import { envoyClientCertificate } from "./envoy.js";
import { envoyReadings } from "./proxy-paths.js";
import type { DialectEntry } from "./table.js";

export const envoyGrpcExtAuthz: Dialect = (_header, line) => {
  if (line?.authority === undefined || line.authority === "" || line.method === "" || line.target === "") {
    return fail({
      kind: "misconfigured",
      reason: "the CheckRequest has no attributes.request.http with method, host and path: is this an HTTP filter?",
    });
  }
  return readOriginalRequest({
    method: line.method,
    authority: line.authority,
    target: line.target,
    address: line.peerAddress,
    readings: envoyReadings,
  });
};

/**
 * Its entry, apart from DIALECTS (which lists the HTTP endpoints): the gRPC listener serves it, with the policy
 * and the Gateway API routes the HTTP Envoy endpoint decides by.
 */
export const ENVOY_GRPC: DialectEntry = Object.freeze({
  name: "envoy-grpc",
  /** The gRPC method, as its HTTP/2 :path. */
  path: "/envoy.service.auth.v3.Authorization/Check",
  pathIsPrefix: false,
  read: envoyGrpcExtAuthz,
  clientCertificate: envoyClientCertificate,
  bodyReachesClient: true,
  routedBy: "gateway",
});
