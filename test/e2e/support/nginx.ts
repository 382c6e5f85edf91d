/**
 * Debian's nginx configured as ingress-nginx renders auth-url (template beside the tests), run in the foreground
 * with a private prefix folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePorts } from "./ports.js";
import { type Started, start, waitForHttp } from "./processes.js";

const TEMPLATE = fileURLToPath(new URL("../nginx/ingress-nginx-auth.conf.template", import.meta.url));
const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";

export interface Nginx {
  /** auth-url + auth-response-headers */
  readonly plainPort: number;
  /** ... + auth-signin */
  readonly signinPort: number;
  /** ... + auth-cache-key */
  readonly cachePort: number;
  readonly prefix: string;
  readonly process: Started;
  errorLog(): string;
}

export interface NginxOptions {
  /**
   * Connections per worker (the template's 1,024 by default). ingress-nginx's own default (max-worker-connections)
   * is 16,384: floods of more than ~500 concurrent clients need more than the template's.
   */
  readonly workerConnections?: number;
  /**
   * Listen backlog of the servers (nginx's default: 511). ingress-nginx renders `backlog=` with the pod's
   * net.core.somaxconn on its default server; under floods, a short queue drops SYNs, and a dropped SYN costs
   * whoever sent it a second or more.
   */
  readonly backlog?: number;
  /**
   * The auth-signin annotation's URL (default: http://<rbac-gate>/signin, as the template renders it): where a 401
   * is redirected, with the original URL in rd=. The named location keeps the default URL's hash: only a name.
   */
  readonly signinUrl?: string;
  /**
   * More auth-response-headers, rendered after the template's as ingress-nginx renders each: the header set on the
   * proxied request from the auth answer's header of that name, and dropped when the answer has none (nginx sends no
   * header whose value is empty).
   */
  readonly extraResponseHeaders?: readonly string[];
}

export async function startNginx(authAddress: string, appAddress: string, options: NginxOptions = {}): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), "rbac-gate-nginx-"));
  mkdirSync(join(prefix, "logs"), { recursive: true });
  const [a, b, c] = (await freePorts(3)) as [number, number, number];
  const config = readFileSync(TEMPLATE, "utf8")
    .replaceAll("http://{{AUTH}}/signin", options.signinUrl ?? "http://{{AUTH}}/signin")
    .replaceAll("{{AUTH}}", authAddress)
    .replaceAll("{{APP}}", appAddress)
    .replaceAll("{{A}}", String(a))
    .replaceAll("{{B}}", String(b))
    .replaceAll("{{C}}", String(c))
    .replace(/worker_connections \d+;/, `worker_connections ${options.workerConnections ?? 1024};`)
    .replaceAll(
      " default_server;",
      options.backlog ? ` default_server backlog=${options.backlog};` : " default_server;",
    );
  const extra = (options.extraResponseHeaders ?? [])
    .map(
      (name, i) =>
        `\n            auth_request_set    $authHeaderExtra${i} $upstream_http_${name.toLowerCase().replaceAll("-", "_")};` +
        `\n            proxy_set_header    '${name}' $authHeaderExtra${i};`,
    )
    .join("");
  const conf = join(prefix, "nginx.conf");
  writeFileSync(
    conf,
    config.replaceAll("proxy_set_header    'X-Remote-Group' $authHeader4;", (line) => line + extra),
  );
  const errorLog = join(prefix, "error.log");
  const proc = start(NGINX, ["-p", `${prefix}/`, "-c", conf, "-e", errorLog, "-g", "daemon off;"]);
  await waitForHttp(`http://127.0.0.1:${a}/`, proc);
  return {
    plainPort: a,
    signinPort: b,
    cachePort: c,
    prefix,
    process: proc,
    errorLog: () => readFileSync(errorLog, "utf8"),
  };
}
