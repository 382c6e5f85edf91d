/**
 * `npm run bench`: rbac-gate against the bare Node.js floor and native nginx basic auth, measured in one run on
 * this machine with the same users and passwords, through Debian's nginx (one worker) in both auth-subrequest
 * modes. Load comes from wrk: as fast as it goes for throughput, and paced (a pause per connection) to half of
 * rbac-gate's peak for the p99 comparison. Prints a table and ends with:
 *
 *   bench: floor_ratio_close=R1 floor_ratio_keepalive=R2 vs_apr1=R3 vs_bcrypt10=R4 p99_added_ms=R5
 *
 *   npm run bench -- --seconds 8 --connections 32
 *
 * rbac-gate runs with the chart's NODE_OPTIONS (its V8 heap caps), as in a cluster; GATE_NODE_OPTIONS replaces
 * them, e.g. GATE_NODE_OPTIONS= npm run bench for none.
 */
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";

const execFileAsync = promisify(execFile);

import { freePort } from "../test/e2e/support/ports.js";
import { start, stopAll, waitForHttp } from "../test/e2e/support/processes.js";
import { startRbacGate } from "../test/e2e/support/rbac-gate.js";
import { CHART_NODE_OPTIONS } from "./chart-node-options.js";
import { type BenchPorts, benchNginxConfig } from "./nginx-bench.conf.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "8" }, connections: { type: "string", default: "32" } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const USER = "bench";
const PASSWORD = "bench-pw";
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

const dir = mkdtempSync(join(tmpdir(), "rbac-gate-bench-"));
chmodSync(dir, 0o755); // nginx's worker user reads the htpasswd files
const htpasswd = (name: string, flags: string[]) => {
  const line = execFileSync("htpasswd", ["-nb", ...flags, USER, PASSWORD], { encoding: "utf8" }).trim();
  writeFileSync(join(dir, name), `${line}\n`, { mode: 0o644 });
  return join(dir, name);
};
const files = {
  apr1: htpasswd("apr1", ["-m"]),
  bcrypt5: htpasswd("bcrypt5", ["-B", "-C", "5"]),
  bcrypt10: htpasswd("bcrypt10", ["-B", "-C", "10"]),
  sha: htpasswd("sha", ["-s"]),
};

// rbac-gate with the bcrypt-10 user, configured as the README recommends at high rates: every denial and error
// in the audit log, one allow line in a hundred (audit.allowSampleRate: 0.01).
writeFileSync(
  join(dir, "config.yaml"),
  `htpasswd: {files: [{name: bench, path: ${files.bcrypt10}}]}
audit: {allowSampleRate: 0.01}
routes: [{host: "127.0.0.1", htpasswd: bench, allow: {authenticated: true}}]
`,
);
// As the chart runs it: its NODE_OPTIONS (heap caps), unless GATE_NODE_OPTIONS says otherwise.
const gate = await startRbacGate(["--config", join(dir, "config.yaml")], {
  NODE_OPTIONS: process.env.GATE_NODE_OPTIONS ?? CHART_NODE_OPTIONS,
});

// The floor: the least a Node.js webhook can do, answering 200 to every auth subrequest (its own process, on the
// same Node.js as rbac-gate).
const floorPort = await freePort();
const floor = start(process.execPath, [
  "-e",
  `require("node:http").createServer((q, s) => { s.writeHead(200, { "Content-Length": "0" }); s.end(); }).listen(${floorPort}, "127.0.0.1")`,
]);
await waitForHttp(`http://127.0.0.1:${floorPort}/`, floor);

const ports: BenchPorts = {
  gateClose: await freePort(),
  gateKeepalive: await freePort(),
  floorClose: await freePort(),
  floorKeepalive: await freePort(),
  apr1: await freePort(),
  bcrypt5: await freePort(),
  bcrypt10: await freePort(),
  sha: await freePort(),
  noAuth: await freePort(),
  upstream: await freePort(),
  gateCached: await freePort(),
};
const prefix = join(dir, "nginx");
mkdirSync(prefix);
writeFileSync(join(prefix, "nginx.conf"), benchNginxConfig(ports, gate.address, `127.0.0.1:${floorPort}`, files));
const nginx = start("/usr/sbin/nginx", [
  "-p",
  `${prefix}/`,
  "-c",
  join(prefix, "nginx.conf"),
  "-e",
  join(prefix, "error.log"),
  "-g",
  "daemon off;",
]);
await waitForHttp(`http://127.0.0.1:${ports.noAuth}/`, nginx);

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

/** wrk, closed loop: throughput and latency percentiles (ms). */
/**
 * Runs wrk without blocking this process: the child processes' output pipes must keep being drained, or a full
 * pipe stalls rbac-gate's log writes and shows up as latency that is the benchmark's own doing.
 */
async function wrk(port: number, duration = seconds, extra: string[] = []): Promise<Result> {
  const { stdout: out } = await execFileAsync(
    "wrk",
    [
      "-t1",
      ...(extra.includes("-c") ? [] : [`-c${connections}`]),
      `-d${duration}s`,
      "--latency",
      ...extra,
      "-H",
      `Authorization: ${AUTH}`,
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: "utf8" },
  );
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    if (!m) return Number.NaN;
    const v = Number(m[1]);
    return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50: ms("50%"),
    p99: ms("99%"),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  };
}

/**
 * Paced load at about a given rate: wrk with a per-connection pause (its Lua delay() hook), so the tool itself stays
 * cheap on a 2-core machine. Both setups compared at one rate get identical connection counts and pauses; the
 * latency is per request, pause excluded.
 */
function atRate(port: number, rate: number, duration = seconds): Promise<Result> {
  const pauseMs = 2;
  const conns = Math.max(1, Math.ceil((rate * (pauseMs + 0.5)) / 1000));
  const script = join(dir, "pace.lua");
  writeFileSync(script, `function delay() return ${pauseMs} end\n`);
  return wrk(port, duration, ["-c", String(conns), "-s", script]);
}

// Warm rbac-gate's password cache (one bcrypt-10 verification), then measure.
await wrk(ports.gateKeepalive, 2);
const rows: Array<[string, Result]> = [];
const measure = async (name: string, port: number, duration?: number) => {
  const r = await wrk(port, duration);
  rows.push([name, r]);
  process.stderr.write(`bench: measured ${name}: ${r.rps.toFixed(0)} req/s\n`);
  return r;
};
const noAuth = await measure("no auth (nginx → static upstream)", ports.noAuth);
const floorClose = await measure("floor: bare Node 200, Connection: close", ports.floorClose);
const gateClose = await measure("rbac-gate, Connection: close (ingress-nginx default)", ports.gateClose);
const cached = await measure("rbac-gate, Connection: close + auth-cache-key", ports.gateCached);
const floorKeep = await measure("floor: bare Node 200, keepalive", ports.floorKeepalive);
const gateKeep = await measure("rbac-gate, keepalive", ports.gateKeepalive);
const sha = await measure("nginx auth_basic {SHA}", ports.sha);
const apr1 = await measure("nginx auth_basic $apr1$", ports.apr1);
const bcrypt5 = await measure("nginx auth_basic bcrypt cost 5", ports.bcrypt5);
const bcrypt10 = await measure("nginx auth_basic bcrypt cost 10", ports.bcrypt10, Math.max(seconds, 10));
void noAuth;
void cached;
void sha;
void bcrypt5;

const rate = Math.round(gateKeep.rps / 2);
// Each paced measurement follows a short paced warm-up of the same setup, so both start from the same state.
await atRate(ports.gateKeepalive, rate, 2);
const gateAtRate = await atRate(ports.gateKeepalive, rate);
await atRate(ports.floorKeepalive, rate, 2);
const floorAtRate = await atRate(ports.floorKeepalive, rate);
rows.push([`rbac-gate, keepalive, paced to ~${rate} req/s`, gateAtRate]);
rows.push([`floor, keepalive, paced to ~${rate} req/s`, floorAtRate]);

const pad = (s: string, n: number) => s.padEnd(n);
process.stdout.write(
  `\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node.js ${process.versions.node}, nginx 1 worker, wrk -t1 -c${connections} -d${seconds}s\n\n`,
);
process.stdout.write(`${pad("setup", 58)} ${pad("req/s", 10)} ${pad("p50 ms", 9)} ${pad("p99 ms", 9)} non-2xx\n`);
for (const [name, r] of rows) {
  process.stdout.write(
    `${pad(name, 58)} ${pad(r.rps.toFixed(0), 10)} ${pad(r.p50.toFixed(2), 9)} ${pad(r.p99.toFixed(2), 9)} ${r.non2xx}\n`,
  );
}
const r1 = gateClose.rps / floorClose.rps;
const r2 = gateKeep.rps / floorKeep.rps;
const r3 = gateKeep.rps / apr1.rps;
const r4 = gateKeep.rps / bcrypt10.rps;
const r5 = gateAtRate.p99 - floorAtRate.p99;
process.stdout.write(
  `\nConnection: close: rbac-gate ÷ floor = ${r1.toFixed(2)}, ÷ $apr1$ = ${(gateClose.rps / apr1.rps).toFixed(2)}, ÷ bcrypt-10 = ${(gateClose.rps / bcrypt10.rps).toFixed(0)}\n`,
);
process.stdout.write(
  `bench: floor_ratio_close=${r1.toFixed(2)} floor_ratio_keepalive=${r2.toFixed(2)} vs_apr1=${r3.toFixed(2)} vs_bcrypt10=${r4.toFixed(0)} p99_added_ms=${r5.toFixed(2)}\n`,
);
await stopAll();
process.exit(0);
