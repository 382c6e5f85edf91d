/**
 * Real Caddy in front of rbac-gate: Debian's package (2.6) and the Go-module build of tools/build.sh (2.11), each
 * with a Caddyfile of the test's, run in the foreground with private data and config folders (Caddy otherwise
 * writes under ~/.local/share and ~/.config), no admin endpoint and no automatic HTTPS.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Started, start, waitForHttp } from "./processes.js";
import { tool } from "./tools.js";

export const CADDY_VERSIONS = {
  "Caddy 2.6 (Debian)": () => process.env.CADDY_DEBIAN_BIN ?? "/usr/bin/caddy",
  "Caddy 2.11 (Go module)": () => tool("caddy"),
} as const;
export type CaddyVersion = keyof typeof CADDY_VERSIONS;

/** No admin endpoint (it would take port 2019 on the machine), no certificates. */
const TEST_OPTIONS = "\tadmin off\n\tauto_https off\n";

export interface Caddy {
  readonly port: number;
  readonly process: Started;
}

/** Starts Caddy with a Caddyfile whose site addresses are written for `port` (the test's own). */
export async function startCaddy(version: CaddyVersion, port: number, caddyfile: string): Promise<Caddy> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-caddy-"));
  const file = join(dir, "Caddyfile");
  const global = /^\{\n/.test(caddyfile);
  writeFileSync(
    file,
    global ? caddyfile.replace(/^\{\n/, `{\n${TEST_OPTIONS}`) : `{\n${TEST_OPTIONS}}\n\n${caddyfile}`,
  );
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") };
  const proc = start(CADDY_VERSIONS[version](), ["run", "--adapter", "caddyfile", "--config", file], env);
  await waitForHttp(`http://127.0.0.1:${port}/`, proc);
  return { port, process: proc };
}

/**
 * The Caddyfile of docs/caddy.md (its first caddyfile block), as a site of every host on `port`, pointed at this
 * test's rbac-gate and backends.
 */
export function docsCaddyfile(port: number, gate: string, admin: string, app: string): string {
  const doc = readFileSync(fileURLToPath(new URL("../../../docs/caddy.md", import.meta.url)), "utf8");
  const block = /```caddyfile\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error("docs/caddy.md has no caddyfile block");
  return block
    .replace(/^app\.example\.com \{/m, `http://:${port} {`)
    .replace("rbac-gate.rbac-gate.svc.cluster.local:8080", gate)
    .replace("admin.app-team.svc.cluster.local:8080", admin)
    .replace("app.app-team.svc.cluster.local:8080", app);
}

export interface Echo {
  readonly port: number;
  readonly address: string;
  readonly seen: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A backend that answers 200 with its name, and what it received, as JSON. */
export async function startEcho(name: string): Promise<Echo> {
  const seen: Echo["seen"] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res
      .writeHead(200, { "Content-Type": "application/json", "X-Backend": name })
      .end(JSON.stringify({ backend: name, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    address: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
