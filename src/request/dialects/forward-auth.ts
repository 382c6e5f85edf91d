/**
 * The ForwardAuth protocol's headers, which Traefik's ForwardAuth and Caddy's forward_auth both set over whatever the
 * client sent: X-Forwarded-Method, X-Forwarded-Host and X-Forwarded-Uri, and X-Forwarded-For, of which the last
 * entry (the one the proxy appended) is read. Each dialect says how its proxy routes the path (`readings`).
 */
import { fail, type Result } from "../../vocabulary/result.js";
import type { OriginalRequest } from "../../vocabulary/types.js";
import {
  type DialectProblem,
  type HeaderReader,
  lastForwardedFor,
  type PathReadings,
  readOriginalRequest,
} from "./dialect.js";

const CONTROL = /[\u0000-\u001f\u007f]/;

/** `proxy` names the proxy's setting in the misconfiguration answer. */
export function readForwardAuthHeaders(
  header: HeaderReader,
  proxy: string,
  readings: PathReadings,
): Result<OriginalRequest, DialectProblem> {
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
  return readOriginalRequest({
    method,
    authority,
    target: uri,
    address: lastForwardedFor(header("x-forwarded-for")),
    readings,
  });
}
