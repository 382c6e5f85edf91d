/**
 * nginx configuration for the benchmark: one server per measured setup, all in one nginx with one worker, all
 * proxying to the same static upstream. The auth locations reproduce ingress-nginx's auth-url rendering
 * (test/e2e/nginx/ingress-nginx-auth.conf.template): "close" is exactly what ingress-nginx renders (proxy_pass to
 * a variable: a new connection, Connection: close, per subrequest); "keepalive" adds an upstream block with idle
 * connections, which is what a user gets by configuring keepalive for the auth service.
 */
export interface BenchPorts {
  readonly gateClose: number;
  readonly gateKeepalive: number;
  readonly floorClose: number;
  readonly floorKeepalive: number;
  readonly apr1: number;
  readonly bcrypt5: number;
  readonly bcrypt10: number;
  readonly sha: number;
  readonly noAuth: number;
  readonly upstream: number;
  readonly gateCached: number;
}

const authLocation = (target: string, keepalive: boolean, cacheKey?: string) => `
        location = /_external-auth-Lw-Prefix {
            internal;
            access_log off;${
              cacheKey
                ? `
            proxy_cache                 auth_cache;
            proxy_cache_valid           200 202 401 5m;
            proxy_cache_key             "${cacheKey}";`
                : ""
            }
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
            proxy_pass                  http://${target}/auth?host=$host;`
    : `            set $target "http://${target}/auth?host=$host";
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

export function benchNginxConfig(
  ports: BenchPorts,
  gate: string,
  floor: string,
  files: Record<string, string>,
): string {
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
    proxy_cache_path auth_cache levels=1:2 keys_zone=auth_cache:10m max_size=128m inactive=30m use_temp_path=off;
    upstream static_upstream { server 127.0.0.1:${ports.upstream}; keepalive 64; }
    upstream gate_keepalive { server ${gate}; keepalive 64; }
    upstream floor_keepalive { server ${floor}; keepalive 64; }
    server { listen 127.0.0.1:${ports.upstream}; location / { return 200 "ok"; } }
    server { listen 127.0.0.1:${ports.gateClose}; ${authLocation(gate, false)} ${protectedLocation} }
    server { listen 127.0.0.1:${ports.gateKeepalive}; ${authLocation("gate_keepalive", true)} ${protectedLocation} }
    # ingress-nginx auth-cache-key with the method and path in the key (the README's recommendation).
    server { listen 127.0.0.1:${ports.gateCached}; ${authLocation(gate, false, "bench/_external-auth-Lw-Prefix$request_method$uri$http_authorization")} ${protectedLocation} }
    server { listen 127.0.0.1:${ports.floorClose}; ${authLocation(floor, false)} ${protectedLocation} }
    server { listen 127.0.0.1:${ports.floorKeepalive}; ${authLocation("floor_keepalive", true)} ${protectedLocation} }
    ${basicServer(ports.apr1, files.apr1 as string)}
    ${basicServer(ports.bcrypt5, files.bcrypt5 as string)}
    ${basicServer(ports.bcrypt10, files.bcrypt10 as string)}
    ${basicServer(ports.sha, files.sha as string)}
    server {
        listen 127.0.0.1:${ports.noAuth};
        location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://static_upstream; }
    }
}
`;
}
