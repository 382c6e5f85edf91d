/**
 * How each supported proxy turns a client's request into its auth request, as each documents and implements it.
 * Used to drive one decision table through every dialect endpoint, and to check that headers a client sends
 * never change a decision.
 *
 * - ingress-nginx: GET /auth; the client's headers pass (proxy_pass_request_headers on); X-Original-URL,
 *   X-Original-Method and X-Real-IP are overwritten by the controller's auth location
 *   (shared/reference/ingress-nginx-auth.conf).
 * - Traefik ForwardAuth (trustForwardHeader false): GET /forward-auth; the client's headers are copied, every
 *   X-Forwarded-* of the client's deleted, then X-Forwarded-For/-Method/-Proto/-Port/-Host/-Uri set from the
 *   request Traefik received (writeHeader in pkg/middlewares/auth/forward.go, traefik v3.7.13).
 * - Envoy HTTP ext_authz: the original method; path_prefix + the original path and query; Host is the original
 *   authority; only Host, Method, Path, Content-Length (0) and Authorization pass, plus headers the operator
 *   allows (ext_authz.proto, HttpService and allowed_headers; go-control-plane/envoy v1.40.0). `allowAll` models
 *   an operator who lets every client header through, the worst case for spoofing.
 */

export type DialectName = "ingress-nginx" | "traefik" | "envoy";

/**
 * nginx's $host for a request whose request line is origin-form: the Host header lower-cased, without port and
 * trailing dot (ngx_http_validate_host). Only what a test of a well-formed request needs.
 */
export function nginxHost(hostHeader: string): string {
  const lower = hostHeader.toLowerCase();
  const withoutPort = lower.startsWith("[") ? lower.slice(0, lower.indexOf("]") + 1) : lower.replace(/:\d*$/, "");
  return withoutPort.replace(/\.$/, "");
}

/** The auth request's path as the documented auth-url renders it: /auth?host=$host. */
export const nginxAuthPath = (hostHeader: string) => `/auth?host=${nginxHost(hostHeader)}`;

/** The same, for an X-Original-URL ($scheme://$http_host$request_uri) of a request that agrees with its Host. */
export const nginxAuthPathFor = (originalUrl: string) =>
  nginxAuthPath(/^[a-z]+:\/\/([^/?#]*)/i.exec(originalUrl)?.[1] ?? "");
export const DIALECTS: readonly DialectName[] = ["ingress-nginx", "traefik", "envoy"];

export interface ClientRequest {
  readonly method: string;
  /** As the client sent it in Host, port included when there is one. */
  readonly host: string;
  /** The request-target as sent: path and query, not normalized. */
  readonly target: string;
  /** Every header the client sent, Authorization included. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly clientAddress?: string;
  readonly scheme?: "http" | "https";
}

export interface AuthRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

const lower = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

export function authRequest(dialect: DialectName, r: ClientRequest, options: { allowAll?: boolean } = {}): AuthRequest {
  const client = lower(r.headers ?? {});
  const address = r.clientAddress ?? "192.0.2.10";
  const scheme = r.scheme ?? "http";
  switch (dialect) {
    case "ingress-nginx":
      return {
        method: "GET",
        path: nginxAuthPath(r.host),
        headers: {
          ...client,
          "x-original-url": `${scheme}://${r.host}${r.target}`,
          "x-original-method": r.method,
          "x-real-ip": address,
        },
      };
    case "traefik": {
      const kept = Object.fromEntries(Object.entries(client).filter(([k]) => !k.startsWith("x-forwarded-")));
      return {
        method: "GET",
        path: "/forward-auth",
        headers: {
          ...kept,
          "x-forwarded-for": address,
          "x-forwarded-method": r.method,
          "x-forwarded-proto": scheme,
          "x-forwarded-port": scheme === "https" ? "443" : "80",
          "x-forwarded-host": r.host,
          "x-forwarded-uri": r.target,
        },
      };
    }
    case "envoy": {
      const passed = options.allowAll
        ? client
        : Object.fromEntries(Object.entries(client).filter(([k]) => k === "authorization"));
      return {
        method: r.method,
        path: `/ext-authz${r.target}`,
        headers: { ...passed, host: r.host, "content-length": "0" },
      };
    }
  }
}

/**
 * Envoy gRPC ext_authz: the CheckRequest Envoy sends (attribute_context.proto, Envoy v1.39.0's api/):
 * request.http.method, .host (the :authority), .path (the request-target, query included, not decoded) and
 * .headers, every header of the client's lower-cased (the gRPC service passes them all unless an operator lists
 * allowed_headers) with Envoy's pseudo-headers, and X-Forwarded-For with the address Envoy appends
 * (use_remote_address); source.address is the client's address as Envoy saw it.
 */
export function checkRequest(r: ClientRequest) {
  const client = lower(r.headers ?? {});
  const address = r.clientAddress ?? "192.0.2.10";
  const forwarded = client["x-forwarded-for"];
  return {
    attributes: {
      source: { address: { socket_address: { address, port_value: 40000 } } },
      request: {
        http: {
          method: r.method,
          host: r.host,
          path: r.target,
          scheme: r.scheme ?? "http",
          protocol: "HTTP/1.1",
          headers: {
            ...client,
            ":authority": r.host,
            ":method": r.method,
            ":path": r.target,
            ":scheme": r.scheme ?? "http",
            "x-forwarded-for": forwarded === undefined ? address : `${forwarded}, ${address}`,
          },
        },
      },
    },
  };
}
