/**
 * nginx configuration for the benchmark: one server per measured setup, all in one nginx with one worker, all
 * proxying to the same static upstream. The auth locations reproduce ingress-nginx's auth-url rendering
 * (test/e2e/nginx/ingress-nginx-auth.conf.template): "close" is exactly what ingress-nginx renders (proxy_pass to
 * a variable: a new connection, Connection: close, per subrequest); "keepalive" adds an upstream block with idle
 * connections, which is what a user gets by configuring keepalive for the auth service. rbac-gate, the floor and
 * oauth2-proxy are each reached both ways.
 */
export interface BenchPorts {
  readonly gateClose: number;
  readonly gateKeepalive: number;
  readonly floorClose: number;
  readonly floorKeepalive: number;
  readonly oauth2ProxyClose: number;
  readonly oauth2ProxyKeepalive: number;
  readonly apr1: number;
  readonly bcrypt10: number;
  readonly upstream: number;
}

/** The auth services behind nginx, as host:port. */
export interface AuthServices {
  readonly gate: string;
  readonly floor: string;
  readonly oauth2Proxy: string;
}

// rbac-gate and the floor answer the ingress-nginx dialect at /auth; oauth2-proxy at /oauth2/auth.
const GATE_PATH = "/auth?host=$host";
const OAUTH2_PROXY_PATH = "/oauth2/auth";

const authLocation = (target: string, path: string, keepalive: boolean) => `
        location = /_external-auth-Lw-Prefix {
            internal;
            access_log off;
            proxy_intercept_errors      off;
            proxy_pass_request_body     off;
            proxy_set_header            Content-Length          "";
            proxy_set_header            X-Forwarded-Proto       "";
            proxy_set_header            X-Request-ID            $request_id;
            proxy_set_header            Host                    127.0.0.1;
            proxy_set_header            X-Original-URL          $scheme://$http_host$request_uri;
            proxy_set_header            X-Original-Method       $request_method;
            proxy_set_header            X-Sent-From             "nginx-ingress-controller";
            proxy_set_header            X-Real-IP               $remote_addr;
            proxy_set_header            X-Forwarded-For         $remote_addr;
            proxy_set_header            X-Auth-Request-Redirect $request_uri;
            proxy_buffering             off;
            proxy_pass_request_headers  on;
            proxy_http_version          1.1;
${
  keepalive
    ? `            proxy_set_header            Connection              "";
            proxy_pass                  http://${target}${path};`
    : `            set $target "http://${target}${path}";
            proxy_pass $target;`
}
        }`;

const protectedLocation = `
        location / {
            auth_request        /_external-auth-Lw-Prefix;
            auth_request_set    $authHeader0 $upstream_http_x_auth_request_user;
            proxy_set_header    'X-Auth-Request-User' $authHeader0;
            proxy_http_version  1.1;
            proxy_set_header    Connection "";
            proxy_pass          http://static_upstream;
        }`;

const basicServer = (port: number, file: string) => `
    server {
        listen 127.0.0.1:${port};
        location / {
            auth_basic           "bench";
            auth_basic_user_file ${file};
            proxy_http_version   1.1;
            proxy_set_header     Connection "";
            proxy_pass           http://static_upstream;
        }
    }`;

export function benchNginxConfig(ports: BenchPorts, auth: AuthServices, files: Record<string, string>): string {
  const server = (port: number, target: string, path: string, keepalive: boolean) =>
    `server { listen 127.0.0.1:${port}; ${authLocation(target, path, keepalive)} ${protectedLocation} }`;
  return `worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    upstream static_upstream { server 127.0.0.1:${ports.upstream}; keepalive 64; }
    upstream gate_keepalive { server ${auth.gate}; keepalive 64; }
    upstream floor_keepalive { server ${auth.floor}; keepalive 64; }
    upstream oauth2_proxy_keepalive { server ${auth.oauth2Proxy}; keepalive 64; }
    server { listen 127.0.0.1:${ports.upstream}; location / { return 200 "ok"; } }
    ${server(ports.gateClose, auth.gate, GATE_PATH, false)}
    ${server(ports.gateKeepalive, "gate_keepalive", GATE_PATH, true)}
    ${server(ports.floorClose, auth.floor, GATE_PATH, false)}
    ${server(ports.floorKeepalive, "floor_keepalive", GATE_PATH, true)}
    ${server(ports.oauth2ProxyClose, auth.oauth2Proxy, OAUTH2_PROXY_PATH, false)}
    ${server(ports.oauth2ProxyKeepalive, "oauth2_proxy_keepalive", OAUTH2_PROXY_PATH, true)}
    ${basicServer(ports.apr1, files.apr1 as string)}
    ${basicServer(ports.bcrypt10, files.bcrypt10 as string)}
}
`;
}
