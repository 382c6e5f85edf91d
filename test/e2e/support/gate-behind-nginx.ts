/**
 * rbac-gate from a configuration file, a real upstream, and Debian's nginx in front as ingress-nginx renders
 * auth-url: the set-up most end-to-end suites and the soak share.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Nginx, type NginxOptions, startNginx } from "./nginx.js";
import { freePort } from "./ports.js";
import { type RunningGate, startRbacGate } from "./rbac-gate.js";
import { startUpstream, type Upstream } from "./upstream.js";

export interface GateBehindNginx {
  readonly gate: RunningGate;
  readonly upstream: Upstream;
  readonly nginx: Nginx;
  readonly dir: string;
}

/** @param files written into a fresh folder; "config.yaml" among them is rbac-gate's configuration. */
export async function startGateBehindNginx(
  files: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
  nginxOptions: NginxOptions = {},
): Promise<GateBehindNginx> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-e2e-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const gate = await startRbacGate(["--config", join(dir, "config.yaml")], env);
  const upstream = await startUpstream(await freePort());
  const nginx = await startNginx(gate.address, `127.0.0.1:${upstream.port}`, nginxOptions);
  return { gate, upstream, nginx, dir };
}
