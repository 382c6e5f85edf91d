/**
 * `npm run bench`: rbac-gate against the bare Node.js floor and native nginx basic auth, measured in one run on
 * this machine with the same users and passwords, through Debian's nginx (one worker) in both auth-subrequest
 * modes. Load comes from wrk (closed loop, for throughput) and from a constant-rate generator here (open loop,
 * for p99 at a fixed rate). Prints a table and ends with:
 *
 *   bench: floor_ratio_close=R1 floor_ratio_keepalive=R2 vs_apr1=R3 vs_bcrypt10=R4 p99_added_ms=R5
 *
 *   npm run bench -- --seconds 8 --connections 32
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../test/e2e/support/ports.js";
import { start, stopAll, waitForHttp } from "../test/e2e/support/processes.js";
import { startRbacGate } from "../test/e2e/support/rbac-gate.js";
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
const gate = await startRbacGate(["--config", join(dir, "config.yaml")]);

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
function wrk(port: number, duration = seconds): Result {
  const out = spawnSync(
    "wrk",
    [
      "-t1",
      `-c${connections}`,
      `-d${duration}s`,
      "--latency",
      "-H",
      `Authorization: ${AUTH}`,
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: "utf8" },
  ).stdout;
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

/** Open loop at a fixed rate: p99 latency (ms) not hidden by coordinated omission. */
async function atRate(port: number, rate: number, duration = seconds): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let non2xx = 0;
  let sent = 0;
  const startAt = performance.now();
  await new Promise<void>((resolve) => {
    let pending = 0;
    let done = false;
    const timer = setInterval(() => {
      const elapsed = (performance.now() - startAt) / 1000;
      if (elapsed >= duration) {
        clearInterval(timer);
        done = true;
        if (pending === 0) resolve();
        return;
      }
      const due = Math.floor(elapsed * rate);
      while (sent < due) {
        const scheduled = startAt + (sent / rate) * 1000;
        sent++;
        pending++;
        const req = request({ host: "127.0.0.1", port, path: "/", agent, headers: { Authorization: AUTH } }, (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(performance.now() - scheduled);
            if (res.statusCode !== 200) non2xx++;
            pending--;
            if (done && pending === 0) resolve();
          });
        });
        req.on("error", () => {
          non2xx++;
          pending--;
        });
        req.end();
      }
    }, 1);
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / duration, p50: q(0.5), p99: q(0.99), non2xx };
}

// Warm rbac-gate's password cache (one bcrypt-10 verification), then measure.
wrk(ports.gateKeepalive, 2);
const rows: Array<[string, Result]> = [];
const measure = (name: string, port: number, duration?: number) => {
  const r = wrk(port, duration);
  rows.push([name, r]);
  process.stderr.write(`bench: measured ${name}: ${r.rps.toFixed(0)} req/s\n`);
  return r;
};
const noAuth = measure("no auth (nginx → static upstream)", ports.noAuth);
const floorClose = measure("floor: bare Node 200, Connection: close", ports.floorClose);
const gateClose = measure("rbac-gate, Connection: close (ingress-nginx default)", ports.gateClose);
const floorKeep = measure("floor: bare Node 200, keepalive", ports.floorKeepalive);
const gateKeep = measure("rbac-gate, keepalive", ports.gateKeepalive);
const sha = measure("nginx auth_basic {SHA}", ports.sha);
const apr1 = measure("nginx auth_basic $apr1$", ports.apr1);
const bcrypt5 = measure("nginx auth_basic bcrypt cost 5", ports.bcrypt5);
const bcrypt10 = measure("nginx auth_basic bcrypt cost 10", ports.bcrypt10, Math.max(seconds, 10));
void noAuth;
void sha;
void bcrypt5;

const rate = Math.round(gateKeep.rps / 2);
const gateAtRate = await atRate(ports.gateKeepalive, rate);
const floorAtRate = await atRate(ports.floorKeepalive, rate);
rows.push([`rbac-gate, keepalive, at ${rate} req/s (open loop)`, gateAtRate]);
rows.push([`floor, keepalive, at ${rate} req/s (open loop)`, floorAtRate]);

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
