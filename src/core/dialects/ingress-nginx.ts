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

import { normalizeHost, normalizeMethod, normalizePath } from "../normalize.js";
import { fail, ok } from "../result.js";
import type { Dialect } from "./dialect.js";

const ORIGINAL_URL = /^(https?):\/\/([^/?#]*)(.*)$/i;
const ADDRESS = /^[0-9a-fA-F.:]{2,45}$/;
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
  const host = normalizeHost(parts[2] ?? "");
  if (!host.ok) return fail({ kind: "invalid", reason: host.error });
  const path = normalizePath(parts[3] ?? "");
  if (!path.ok) return fail({ kind: "invalid", reason: path.error });
  const verb = normalizeMethod(method);
  if (!verb.ok) return fail({ kind: "invalid", reason: verb.error });
  const address = header("x-real-ip");
  return ok({
    method: verb.value,
    host: host.value,
    path: path.value,
    ...(address !== undefined && ADDRESS.test(address) ? { clientAddress: address } : {}),
  });
};
