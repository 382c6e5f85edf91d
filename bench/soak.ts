/**
 * Soak: rbac-gate behind Debian's nginx (ingress-nginx auth-url config) at a steady request rate with mixed valid
 * and invalid credentials, for a fixed time. Prints resident memory of the rbac-gate process over time and ends
 * with one line:
 *
 *   soak: minutes=M rate=R heap_cap_mb=H requests=N unexpected=U errors=E warm_from_s=W rss_warm_min_mb=…
 *         rss_warm_max_mb=… rss_ceiling_drift_pct=D heap_used_floor_drift_pct=H …
 *
 * Resident memory of a garbage-collected process is a sawtooth: V8 grows its heap between major collections and
 * its memory reducer gives pages back now and then. Each sample also reads V8's committed and used heap from
 * rbac-gate's metrics, which shows what the sawtooth is made of. Every answer is checked: 200 for valid
 * credentials, 401 for invalid ones.
 *
 *   npm run soak -- --minutes 10 --rate 400
 */

import "./private-tmp.js";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { startGateBehindNginx } from "../test/e2e/support/gate-behind-nginx.js";
import { freePort } from "../test/e2e/support/ports.js";
import { stopAll } from "../test/e2e/support/processes.js";
import { CHART_NODE_OPTIONS, chartEnv } from "./chart-node-options.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "400" },
    // NODE_OPTIONS for rbac-gate; default: the chart's.
    "node-options": { type: "string", default: CHART_NODE_OPTIONS },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);

// Ten users made with htpasswd -nbB -C 10 userN pw-N (cost 10, as in production).
const { execFileSync } = await import("node:child_process");
const users = Array.from({ length: 10 }, (_, i) =>
  execFileSync("htpasswd", ["-nbB", "-C", "10", `user${i}`, `pw-${i}`], { encoding: "utf8" }).trim(),
);
const metricsPort = await freePort();
const { gate, upstream, nginx } = await startGateBehindNginx(
  {
    "users.htpasswd": `${users.join("\n")}\n`,
    "config.yaml": `logLevel: warn
audit: {allowSampleRate: 0}
metrics: {port: ${metricsPort}}
# Every client is 127.0.0.1 here: the per-address limit is raised so invalid attempts do not lock valid users out.
regulation: {maxFailuresPerAddress: 100000, window: 1s, maxFailuresPerUser: 1000}
htpasswd: {files: [{name: team, path: users.htpasswd}]}
routes: [{host: app.example.test, htpasswd: team, allow: {authenticated: true}}]
`,
  },
  chartEnv(values["node-options"]),
);
const pid = gate.process.child.pid as number;
const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** V8's heap (committed and used) and external memory, from rbac-gate's own metrics: what RSS is made of. */
async function heapMb(): Promise<{ total: number; used: number; external: number }> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]) / 1048576;
  return {
    total: read("nodejs_heap_size_total_bytes"),
    used: read("nodejs_heap_size_used_bytes"),
    external: read("nodejs_external_memory_bytes"),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let sent = 0;
let unexpected = 0;
let errors = 0;
const fire = (i: number) => {
  const u = i % 10;
  const valid = i % 3 !== 0;
  // Invalid: a user that does not exist (a new name each time), or, one request in 30, a wrong password for a real
  // user (a full bcrypt-10 computation each: about 70 ms of a thread-pool thread).
  const credentials = valid ? `user${u}:pw-${u}` : i % 30 === 0 ? `user${u}:wrong-${i}` : `ghost-${i}:x`;
  const req = request(
    {
      host: "127.0.0.1",
      port: nginx.plainPort,
      path: `/item/${i % 1000}`,
      agent,
      headers: { Host: "app.example.test", Authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
    },
    (res) => {
      res.resume();
      if (res.statusCode !== (valid ? 200 : 401)) unexpected++;
    },
  );
  req.on("error", () => errors++);
  req.end();
  sent++;
};

const durationMs = minutes * 60_000;
const start = Date.now();
interface Sample {
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
}
const samples: Sample[] = [];
const tick = setInterval(() => {
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  while (sent < due) fire(sent);
}, 10);
const sampler = setInterval(
  async () => {
    const t = (Date.now() - start) / 1000;
    const rss = rssMb();
    const heap = await heapMb().catch(() => ({ total: Number.NaN, used: Number.NaN, external: Number.NaN }));
    const s = { t, rss, heapUsed: heap.used };
    samples.push(s);
    process.stdout.write(
      `t=${s.t.toFixed(0)}s requests=${sent} rss_mb=${s.rss.toFixed(1)} heap_total_mb=${heap.total.toFixed(1)} heap_used_mb=${heap.used.toFixed(1)} external_mb=${heap.external.toFixed(1)} unexpected=${unexpected} errors=${errors}\n`,
    );
  },
  Math.max(5000, durationMs / 60),
);

await new Promise((r) => setTimeout(r, durationMs));
clearInterval(tick);
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 2000));
// Warm-up ends with the first major collection after the first fifth of the run that gives memory back (a drop of
// more than 3 %), or with that fifth when there is none. After it, the run is cut in thirds: a leak shows as the last third sitting higher
// than the first, in resident memory (the ceilings: V8 regrows its heap to the same size between collections) and
// in the live heap (the lowest used-heap sample of each third: right after a collection). The floors (samples
// right after such drops) are printed too.
const fifth = durationMs / 5;
const dropped = (s: Sample, i: number) => i > 0 && s.rss < (samples[i - 1]?.rss ?? 0) * 0.97;
const floors = samples.filter((s, i) => s.t * 1000 > fifth && dropped(s, i));
const warm = samples.filter((s) => s.t >= (floors[0]?.t ?? fifth / 1000));
const third = Math.floor(warm.length / 3);
const [early, late] = [warm.slice(0, third), warm.slice(-third)];
const maxOf = (xs: Sample[], f: (s: Sample) => number) => Math.max(...xs.map(f));
const minOf = (xs: Sample[], f: (s: Sample) => number) => Math.min(...xs.map(f));
const pct = (a: number, b: number) => (((b - a) / a) * 100).toFixed(1);
const end = rssMb();
process.stdout.write(`floors: ${floors.map((f) => `${f.t.toFixed(0)}s=${f.rss.toFixed(1)}MB`).join(" ")}\n`);
const ceilingDrift = pct(
  maxOf(early, (s) => s.rss),
  maxOf(late, (s) => s.rss),
);
const heapFloorDrift = pct(
  minOf(early, (s) => s.heapUsed),
  minOf(late, (s) => s.heapUsed),
);
process.stdout.write(
  `soak: minutes=${minutes} rate=${rate} node_options="${values["node-options"]}" requests=${sent} unexpected=${unexpected} errors=${errors} warm_from_s=${warm[0]?.t.toFixed(0)} rss_warm_min_mb=${minOf(warm, (s) => s.rss).toFixed(1)} rss_warm_max_mb=${maxOf(warm, (s) => s.rss).toFixed(1)} rss_ceiling_drift_pct=${ceilingDrift} heap_used_floor_drift_pct=${heapFloorDrift} rss_end_mb=${end.toFixed(1)} rss_max_mb=${maxOf(samples, (s) => s.rss).toFixed(1)} gate_alive=${gate.process.child.exitCode === null}\n`,
);
agent.destroy();
await upstream.close();
await stopAll();
process.exit(unexpected === 0 && errors === 0 && gate.process.child.exitCode === null ? 0 : 1);
