/**
 * The processes `npm run bench` measures, each started once for the whole run on its own free port, and their peak
 * resident memory: rbac-gate, the bare Node.js floor, oauth2-proxy (the peer) and the one nginx in front of them.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, freePorts } from "../test/e2e/support/ports.js";
import { type Started, start, waitForHttp } from "../test/e2e/support/processes.js";
import { startRbacGate } from "../test/e2e/support/rbac-gate.js";
import { tool } from "../test/e2e/support/tools.js";
import { type BenchPorts, benchNginxConfig } from "./nginx-bench.conf.js";

export interface Services {
  readonly ports: BenchPorts;
  readonly gate: Started;
  /**
   * A second rbac-gate with the gRPC listener on, for the direct rows (gRPC Check and /ext-authz): the first runs as
   * ingress-nginx users deploy it, without gRPC (whose libraries cost resident memory).
   */
  readonly grpcGate: Started;
  readonly grpcGatePort: number;
  readonly grpcPort: number;
  readonly dir: string;
  readonly floor: Started;
  readonly oauth2Proxy: Started;
  readonly nginx: Started;
}

/** Starts everything with one user and password, in a private temporary folder. */
export async function startServices(user: string, password: string, gateEnv: NodeJS.ProcessEnv): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-bench-"));
  chmodSync(dir, 0o755); // nginx's worker user reads the htpasswd files
  const htpasswd = (name: string, flags: string[]) => {
    const line = execFileSync("htpasswd", ["-nb", ...flags, user, password], { encoding: "utf8" }).trim();
    writeFileSync(join(dir, name), `${line}\n`, { mode: 0o644 });
    return join(dir, name);
  };
  // One bcrypt cost-10 file serves rbac-gate, oauth2-proxy and nginx's bcrypt row: the same hash for all three.
  const files = { apr1: htpasswd("apr1", ["-m"]), bcrypt10: htpasswd("bcrypt10", ["-B", "-C", "10"]) };

  // rbac-gate configured as the README recommends at high rates: every denial and error in the audit log, one
  // allow line in a hundred (audit.allowSampleRate: 0.01).
  const config = `htpasswd: {files: [{name: bench, path: ${files.bcrypt10}}]}
audit: {allowSampleRate: 0.01}
routes: [{host: "127.0.0.1", htpasswd: bench, allow: {authenticated: true}}]
`;
  writeFileSync(join(dir, "config.yaml"), config);
  const gate = await startRbacGate(["--config", join(dir, "config.yaml")], gateEnv);
  const grpcPort = await freePort();
  writeFileSync(join(dir, "grpc.yaml"), `${config}grpc: {port: ${grpcPort}}\n`);
  const grpcGate = await startRbacGate(["--config", join(dir, "grpc.yaml")], gateEnv);

  // The floor: the least a Node.js webhook can do, answering 200 to every auth subrequest (its own process, on the
  // same Node.js as rbac-gate).
  const floorPort = await freePort();
  const floor = start(process.execPath, [
    "-e",
    `require("node:http").createServer((q, s) => { s.writeHead(200, { "Content-Length": "0" }); s.end(); }).listen(${floorPort}, "127.0.0.1")`,
  ]);
  await waitForHttp(`http://127.0.0.1:${floorPort}/`, floor);

  // oauth2-proxy's /oauth2/auth answers 202 for a valid user and password from --htpasswd-file, 401 otherwise. The
  // google provider with made-up client credentials needs no network until a browser login, which never happens
  // here. Request and auth logging are off: one line per request would be cost rbac-gate does not pay
  // (it samples allows).
  const o2pPort = await freePort();
  const oauth2Proxy = start(tool("oauth2-proxy"), [
    `--http-address=127.0.0.1:${o2pPort}`,
    "--provider=google",
    "--client-id=bench",
    "--client-secret=bench",
    "--cookie-secret=0123456789abcdef0123456789abcdef",
    "--cookie-secure=false",
    "--email-domain=*",
    `--htpasswd-file=${files.bcrypt10}`,
    "--upstream=static://200",
    "--request-logging=false",
    "--auth-logging=false",
  ]);
  await waitForHttp(`http://127.0.0.1:${o2pPort}/ping`, oauth2Proxy);

  // Chosen together: two servers of nginx on one port would be one (the first), measured under both names.
  const [gateClose, gateKeepalive, floorClose, floorKeepalive, o2pClose, o2pKeepalive, apr1, bcrypt10, upstream] =
    (await freePorts(9)) as [number, number, number, number, number, number, number, number, number];
  const ports: BenchPorts = {
    gateClose,
    gateKeepalive,
    floorClose,
    floorKeepalive,
    oauth2ProxyClose: o2pClose,
    oauth2ProxyKeepalive: o2pKeepalive,
    apr1,
    bcrypt10,
    upstream,
  };
  const prefix = join(dir, "nginx");
  mkdirSync(prefix);
  const auth = { gate: gate.address, floor: `127.0.0.1:${floorPort}`, oauth2Proxy: `127.0.0.1:${o2pPort}` };
  writeFileSync(join(prefix, "nginx.conf"), benchNginxConfig(ports, auth, files));
  const nginx = start("/usr/sbin/nginx", [
    ...["-p", `${prefix}/`, "-c", join(prefix, "nginx.conf"), "-e", join(prefix, "error.log")],
    ...["-g", "daemon off;"],
  ]);
  await waitForHttp(`http://127.0.0.1:${ports.upstream}/`, nginx);
  return {
    ports,
    gate: gate.process,
    grpcGate: grpcGate.process,
    grpcGatePort: grpcGate.port,
    grpcPort,
    dir,
    floor,
    oauth2Proxy,
    nginx,
  };
}

/** The process and its child processes (nginx's master and its worker). */
function pidsOf(p: Started): number[] {
  const pid = p.child.pid as number;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  return [pid, ...children.map(Number)];
}

const status = (pid: number, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** Peak resident memory (VmHWM) since the start or the last resetPeak, in MB, summed over the process and its
 * children. */
export function peakRssMb(p: Started): number {
  return pidsOf(p).reduce((sum, pid) => sum + status(pid, "VmHWM"), 0) / 1024;
}

/** Resets VmHWM to the current resident size (Linux clear_refs "5"), so the next peak is one setup's own. */
export function resetPeak(p: Started): void {
  for (const pid of pidsOf(p)) writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** CPU time used so far by the process and its children, in clock ticks (utime + stime). */
function cpuTicks(p: Started): number {
  return pidsOf(p).reduce((sum, pid) => {
    // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are the 12th
    // and 13th of them.
    const rest = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return sum + Number(rest[11]) + Number(rest[12]);
  }, 0);
}

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU time used so far by the process and its children, in seconds (user + system). */
export const cpuSeconds = (p: Started): number => cpuTicks(p) / TICKS_PER_SECOND;

/**
 * Waits until the processes are idle (under 2 clock ticks, 20 ms of CPU, per 100 ms), at most 10 s. A setup's
 * server may still be working when wrk stops: nginx's one worker and oauth2-proxy finish every bcrypt verification
 * already received (up to one per connection), and that work must not be charged to the next setup.
 */
export async function settle(processes: readonly Started[]): Promise<void> {
  const end = Date.now() + 10_000;
  let before = processes.reduce((n, p) => n + cpuTicks(p), 0);
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    const now = processes.reduce((n, p) => n + cpuTicks(p), 0);
    if (now - before < 2) return;
    before = now;
  }
}
