/**
 * The ingress-nginx auth-url dialect.
 *
 * Trusted: X-Original-URL and X-Original-Method, which the controller's auth location always overwrites
 * (proxy_set_header ... $scheme://$http_host$request_uri and $request_method). Never read: X-Forwarded-Host,
 * X-Forwarded-Port, X-Original-URI and X-Scheme (client-controlled unless auth-method is set, and redundant
 * when it is), nor any identity header. The subrequest's own method and path say nothing about the original
 * request: it is GET /auth, or the auth-method verb. X-Real-IP ($remote_addr, always overwritten) is the client's
 * address, used to regulate brute force, never to decide who someone is.
 */

import { fail } from "../result.js";
import { type Dialect, readOriginalRequest } from "./dialect.js";

const ORIGINAL_URL = /^(https?):\/\/([^/?#]*)(.*)$/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

export const ingressNginx: Dialect = (header) => {
  const url = header("x-original-url");
  const method = header("x-original-method");
  if (url === undefined || method === undefined) {
    return fail({
      kind: "misconfigured",
      reason: "X-Original-URL or X-Original-Method missing: call this endpoint only through ingress-nginx's auth-url",
    });
  }
  // nginx never sends these; a URL carrying them (query included) is refused whole.
  if (CONTROL.test(url)) return fail({ kind: "invalid", reason: "X-Original-URL has control characters" });
  const parts = ORIGINAL_URL.exec(url);
  if (!parts) return fail({ kind: "invalid", reason: "X-Original-URL is not an absolute http(s) URL" });
  return readOriginalRequest({
    method,
    authority: parts[2] ?? "",
    target: parts[3] ?? "",
    address: header("x-real-ip"),
  });
};
