/**
 * The ingress-nginx auth-url dialect.
 *
 * Trusted: X-Original-URL and X-Original-Method, which the controller's auth location always overwrites
 * (proxy_set_header ... $scheme://$http_host$request_uri and $request_method), and the auth request's own query
 * parameter `host`, which only the auth-url can put there: `auth-url: http://rbac-gate…/auth?host=$host`.
 *
 * Why `host`: X-Original-URL carries $http_host, the client's Host header, but nginx picks the server by $host:
 * the host of an absolute-form request line when there is one ("GET http://secret/ HTTP/1.1" with
 * "Host: public"), else the Host header, lower-cased, without port and trailing dot. The two differ only when a
 * client makes them differ, so a request whose `host` differs from X-Original-URL's host is refused: the decision
 * is always about the server nginx chose, and the app behind it sees a Host header that names that same server.
 * nginx checks little in a host (it refuses "/", "\0" and control bytes), so `$host` may carry "&" or "=": exactly
 * one `host` parameter whose value is a plain host is accepted, anything else is refused. Without it the
 * auth-url is misconfigured (500): a decision about a host nginx may not have served is never made.
 *
 * Never read: X-Forwarded-Host, X-Forwarded-Port, X-Original-URI and X-Scheme (client-controlled unless
 * auth-method is set, and redundant when it is), nor any identity header. The subrequest's method says nothing
 * about the original request: it is GET, or the auth-method verb. X-Real-IP ($remote_addr, always overwritten) is
 * the client's address, used to regulate brute force, never to decide who someone is.
 */

import { fail, ok, type Result } from "../../vocabulary/result.js";
import { type CertificateReader, readEscapedPem } from "../client-certificate.js";
import { normalizeHost } from "../normalize.js";
import { type Dialect, type DialectProblem, readOriginalRequest } from "./dialect.js";

const ORIGINAL_URL = /^(https?):\/\/([^/?#]*)(.*)$/i;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** What nginx's $host can be once it names a real server: a DNS name or an address, lower-case, no port. */
const PLAIN_HOST = /^(?:[a-z0-9_.-]{1,253}|\[[0-9a-f:.]{2,45}\])$/;

/** The auth-url form every Ingress and the global-auth-url must use. */
export const AUTH_URL_HOST_PARAMETER = "host=$host";

/** The `host` query parameter of the auth request: nginx's $host, as the auth-url put it there. */
export function routedHost(target: string | undefined): Result<string, DialectProblem> {
  const q = target?.indexOf("?") ?? -1;
  const query = target === undefined || q === -1 ? "" : target.slice(q + 1);
  const values: string[] = [];
  for (const parameter of query.split("&")) {
    if (parameter === "host" || parameter.startsWith("host=")) values.push(parameter.slice(5));
  }
  if (values.length === 0) {
    return fail({
      kind: "misconfigured",
      reason: `the auth request has no "host" parameter: the auth-url must end with ?${AUTH_URL_HOST_PARAMETER}`,
    });
  }
  const [value] = values;
  if (values.length > 1 || value === undefined || !PLAIN_HOST.test(value)) {
    return fail({ kind: "invalid", reason: "the host nginx routed by is not a plain host name" });
  }
  return ok(value);
}

export const ingressNginx: Dialect = (header, line) => {
  const url = header("x-original-url");
  const method = header("x-original-method");
  if (url === undefined || method === undefined) {
    return fail({
      kind: "misconfigured",
      reason: "X-Original-URL or X-Original-Method missing: call this endpoint only through ingress-nginx's auth-url",
    });
  }
  const routed = routedHost(line?.target);
  if (!routed.ok) return routed;
  // nginx never sends these; a URL carrying them (query included) is refused whole.
  if (CONTROL.test(url)) return fail({ kind: "invalid", reason: "X-Original-URL has control characters" });
  const parts = ORIGINAL_URL.exec(url);
  if (!parts) return fail({ kind: "invalid", reason: "X-Original-URL is not an absolute http(s) URL" });
  const read = readOriginalRequest({
    method,
    authority: parts[2] ?? "",
    target: parts[3] ?? "",
    address: header("x-real-ip"),
  });
  if (!read.ok) return read;
  const server = normalizeHost(routed.value);
  if (!server.ok || server.value !== read.value.host) {
    return fail({
      kind: "invalid",
      reason: "the Host header differs from the host nginx routed by (an absolute-form request line)",
    });
  }
  return read;
};

/**
 * ssl-client-cert ($ssl_client_escaped_cert), which the auth location sets when the server has auth-tls-secret and
 * auth-tls-pass-certificate-to-upstream: "true" (empty, so removed, when the client sent no certificate). On a server
 * without them nginx passes a client's own ssl-client-cert through: routes/Ingresses must say they use it.
 */
export const ingressNginxClientCertificate: CertificateReader = (header) =>
  readEscapedPem(header("ssl-client-cert"), "ssl-client-cert");
