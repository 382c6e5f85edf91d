/**
 * `npm run bench`: rbac-gate against the bare Node.js floor, native nginx basic auth and oauth2-proxy (the peer),
 * measured in one run on this machine with the same user and password (one bcrypt cost-10 hash), through Debian's
 * nginx (one worker) in both auth-subrequest modes.
 *
 * Built to hold on a noisy shared machine: the run is a series of rounds, each measuring every setup once in an
 * order that changes from round to round (rounds.ts); each figure is the median over rounds of a per-round value,
 * printed with its min–max spread, and marked unstable when (max − min) / median exceeds --unstable (for the latency
 * added, a difference near zero: (max − min) / the floor's median p99).
 *
 * - Throughput: wrk, closed loop, -t1 -c<connections> for --seconds per setup and round. Every request asks the
 *   same question, as a page reloaded or a poll does, so rbac-gate answers from its allowCache after the first; the
 *   "every path new" rows ask for a path never asked before each time, so the whole pipeline runs for every request.
 * - Latency added: the paced client (paced-process.ts), open loop at --rate requests/s for --paced-seconds per setup
 *   and round, latency measured from each request's scheduled send time (corrected for coordinated omission), on
 *   rbac-gate and on the floor, both in keepalive mode; p99_added_ms is the median over rounds of their p99
 *   difference. Defaults: 2,000 req/s × 5 s = 10,000 samples per setup and round, so each p99 stands on its 100
 *   slowest samples.
 * - gRPC: a second rbac-gate with the gRPC listener, loaded directly with h2load: Check over HTTP/2 (4 connections
 *   × 8 streams, as Envoy pools them) against /ext-authz over HTTP/1.1 keepalive (32 connections).
 * - Memory: peak resident memory (VmHWM, reset before each setup) of the process that answers the setup.
 * - CPU: the answering process's CPU time (user + system) per request answered. A busy host lowers every
 *   throughput figure, but what the process itself spends per request it changes less.
 * - Each setup starts once every service is idle (services.ts settle), so no setup pays for another's backlog.
 *
 * Ends with (medians over rounds; spreads min-max; rss_peak_mb: rbac-gate's highest peak over all its setups):
 *
 *   bench: floor_ratio_close= floor_ratio_keepalive= spread_close= spread_keepalive= vs_oauth2proxy_close=
 *          vs_oauth2proxy_keepalive= vs_bcrypt10= p99_added_ms= rss_peak_mb= grpc_rps= grpc_vs_http=
 *          floor_ratio_close_new_paths= floor_ratio_keepalive_new_paths= cpu_vs_floor_close= cpu_vs_floor_keepalive=
 *
 *   npm run bench -- --rounds 7 --seconds 3 --connections 32 --rate 2000 --paced-seconds 5 --unstable 0.25
 *
 * rbac-gate runs with the chart's NODE_OPTIONS (its V8 heap caps), as in a cluster; GATE_NODE_OPTIONS replaces
 * them, e.g. GATE_NODE_OPTIONS= npm run bench for none.
 */
import "./private-tmp.js";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkClient } from "../test/e2e/support/grpc-client.js";
import type { Started } from "../test/e2e/support/processes.js";
import { stopAll } from "../test/e2e/support/processes.js";
import { CHART_NODE_OPTIONS, chartEnv } from "./chart-node-options.js";
import { checkRequest, checkRequestBody, extAuthz, grpcCheck } from "./h2load.js";
import { NEW_PATH_EVERY_REQUEST, paced, wrk } from "./load.js";
import { type Measured, printRatios, printRows, type Ratio, type Row } from "./report.js";
import { fmt, median, roundOrder, spread, summarize } from "./rounds.js";
import { cpuSeconds, peakRssMb, resetPeak, settle, startServices } from "./services.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "7" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    rate: { type: "string", default: "2000" },
    "paced-seconds": { type: "string", default: "5" },
    unstable: { type: "string", default: "0.25" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rate = Number(values.rate);
const pacedSeconds = Number(values["paced-seconds"]);
const unstableAt = Number(values.unstable);
const USER = "bench";
const PASSWORD = "bench-pw";
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

const gateNodeOptions = process.env.GATE_NODE_OPTIONS ?? CHART_NODE_OPTIONS;
const s = await startServices(USER, PASSWORD, chartEnv(gateNodeOptions));
const benchCheck = checkRequest("127.0.0.1", AUTH);
const newPathScript = join(s.dir, "new-path.lua");
writeFileSync(newPathScript, NEW_PATH_EVERY_REQUEST);
const checkBody = checkRequestBody(s.dir, benchCheck);
// h2load counts every HTTP 200 as a success, and gRPC answers a denial with 200 too: the Check it sends must allow.
{
  const grpc = checkClient(s.grpcPort);
  const reply = await grpc.check(benchCheck);
  grpc.close();
  if (reply.grpcCode !== 0) throw new Error(`the benchmark's CheckRequest is not allowed (code ${reply.grpcCode})`);
}

interface Setup {
  readonly key: string;
  readonly label: string;
  readonly port: number;
  readonly load: "wrk" | "paced" | "grpc" | "h1";
  /** Every request a new path: no allowCache hit, the pipeline runs for each (wrk only). */
  readonly newPaths?: boolean;
  /** The process that answers this setup, whose peak memory the row reports. */
  readonly serves: Started;
}
const wrkSetup = (key: string, label: string, port: number, serves: Started): Setup => ({
  key,
  label,
  port,
  load: "wrk",
  serves,
});
const newPathSetup = (key: string, label: string, port: number, serves: Started): Setup => ({
  ...wrkSetup(key, label, port, serves),
  newPaths: true,
});
const pacedSetup = (key: string, label: string, port: number, serves: Started): Setup => ({
  key,
  label,
  port,
  load: "paced",
  serves,
});
// Grouped by ratio: roundOrder measures a group's setups back to back, so they share the machine's mood. The
// oauth2-proxy rows are compared with rbac-gate's rows of the other groups.
const groups: Setup[][] = [
  [
    wrkSetup("gateClose", "rbac-gate, Connection: close (ingress-nginx default)", s.ports.gateClose, s.gate),
    wrkSetup("floorClose", "floor: bare Node 200, Connection: close", s.ports.floorClose, s.floor),
  ],
  [
    wrkSetup("gateKeep", "rbac-gate, keepalive", s.ports.gateKeepalive, s.gate),
    wrkSetup("floorKeep", "floor: bare Node 200, keepalive", s.ports.floorKeepalive, s.floor),
  ],
  [
    newPathSetup("gateCloseNew", "rbac-gate, Connection: close, every path new", s.ports.gateClose, s.gate),
    newPathSetup("floorCloseNew", "floor, Connection: close, every path new", s.ports.floorClose, s.floor),
  ],
  [
    newPathSetup("gateKeepNew", "rbac-gate, keepalive, every path new", s.ports.gateKeepalive, s.gate),
    newPathSetup("floorKeepNew", "floor, keepalive, every path new", s.ports.floorKeepalive, s.floor),
  ],
  [
    wrkSetup("o2pClose", "oauth2-proxy, Connection: close", s.ports.oauth2ProxyClose, s.oauth2Proxy),
    wrkSetup("o2pKeep", "oauth2-proxy, keepalive", s.ports.oauth2ProxyKeepalive, s.oauth2Proxy),
  ],
  [
    wrkSetup("apr1", "nginx auth_basic $apr1$", s.ports.apr1, s.nginx),
    wrkSetup("bcrypt10", "nginx auth_basic bcrypt cost 10", s.ports.bcrypt10, s.nginx),
  ],
  [
    {
      key: "grpc",
      label: "rbac-gate+gRPC: Check, direct (h2load 4×8 streams)",
      port: s.grpcPort,
      load: "grpc",
      serves: s.grpcGate,
    },
    {
      key: "h1",
      label: "rbac-gate+gRPC: /ext-authz, direct (h2load --h1)",
      port: s.grpcGatePort,
      load: "h1",
      serves: s.grpcGate,
    },
  ],
  [
    pacedSetup("gatePaced", `rbac-gate, keepalive, paced ${rate} req/s`, s.ports.gateKeepalive, s.gate),
    pacedSetup("floorPaced", `floor, keepalive, paced ${rate} req/s`, s.ports.floorKeepalive, s.floor),
  ],
];
const setups = groups.flat();

const everyService = [s.gate, s.grpcGate, s.floor, s.oauth2Proxy, s.nginx];
async function measure(setup: Setup, duration: number): Promise<Measured> {
  await settle(everyService);
  resetPeak(setup.serves);
  const cpuBefore = cpuSeconds(setup.serves);
  // What the answering process did during the load: its peak memory, and its CPU µs per request, the requests
  // counted from the closed-loop client's rate over the run (NaN for the paced client, and when none was answered).
  const measured = (m: Omit<Measured, "rssMb" | "cpuUs">): Measured => ({
    ...m,
    rssMb: peakRssMb(setup.serves),
    cpuUs: m.rps > 0 ? ((cpuSeconds(setup.serves) - cpuBefore) * 1e6) / (m.rps * duration) : Number.NaN,
  });
  if (setup.load === "wrk") {
    const r = await wrk(setup.port, duration, connections, AUTH, setup.newPaths ? newPathScript : undefined);
    return measured({ rps: r.rps, p99: r.p99, errors: r.non2xx, samples: Number.NaN });
  }
  if (setup.load === "grpc" || setup.load === "h1") {
    const r =
      setup.load === "grpc"
        ? await grpcCheck(setup.port, duration, 4, 8, checkBody)
        : await extAuthz(setup.port, duration, connections, AUTH);
    return measured({ rps: r.rps, p99: Number.NaN, errors: r.failed, samples: Number.NaN });
  }
  const r = await paced({ port: setup.port, rate, seconds: duration, connections: 64, authorization: AUTH });
  return measured({ rps: Number.NaN, p99: r.p99, errors: r.errors, samples: r.samples });
}

// Warm-up, not reported: one short pass over every setup (rbac-gate's password cache gets its one bcrypt-10
// verification, V8 compiles the hot path, nginx opens its keepalive connections).
for (const setup of setups) await measure(setup, 1);

const results = new Map<string, Measured[]>(setups.map((x) => [x.key, []]));
for (let round = 0; round < rounds; round++) {
  const order = roundOrder(groups, round);
  for (const setup of order) {
    const m = await measure(setup, setup.load === "paced" ? pacedSeconds : seconds);
    results.get(setup.key)?.push(m);
  }
  const line = order.map((x) => {
    const m = results.get(x.key)?.[round] as Measured;
    return `${x.key}=${x.load !== "paced" ? m.rps.toFixed(0) : `p99:${m.p99.toFixed(2)}ms`}`;
  });
  process.stderr.write(`bench: round ${round + 1}/${rounds}: ${line.join(" ")}\n`);
}

const of = (key: string) => results.get(key) as Measured[];
const perRound = (f: (round: number) => number) => Array.from({ length: rounds }, (_, i) => f(i));
const rpsRatio = (a: string, b: string) => perRound((i) => (of(a)[i]?.rps as number) / (of(b)[i]?.rps as number));
const cpuRatio = (a: string, b: string) => perRound((i) => (of(a)[i]?.cpuUs as number) / (of(b)[i]?.cpuUs as number));
const ratio = (name: string, values: number[], unit = "", scale?: number): Ratio => {
  const summary = summarize(values, scale);
  return { name, summary, unit, unstable: summary.relativeSpread > unstableAt };
};
const ratios = {
  floorClose: ratio("rbac-gate ÷ floor, Connection: close", rpsRatio("gateClose", "floorClose")),
  floorKeep: ratio("rbac-gate ÷ floor, keepalive", rpsRatio("gateKeep", "floorKeep")),
  floorCloseNew: ratio(
    "rbac-gate ÷ floor, Connection: close, every path new",
    rpsRatio("gateCloseNew", "floorCloseNew"),
  ),
  floorKeepNew: ratio("rbac-gate ÷ floor, keepalive, every path new", rpsRatio("gateKeepNew", "floorKeepNew")),
  cpuClose: ratio("rbac-gate CPU per request ÷ floor's, Connection: close", cpuRatio("gateClose", "floorClose")),
  cpuKeep: ratio("rbac-gate CPU per request ÷ floor's, keepalive", cpuRatio("gateKeep", "floorKeep")),
  o2pClose: ratio("rbac-gate ÷ oauth2-proxy, Connection: close", rpsRatio("gateClose", "o2pClose")),
  o2pKeep: ratio("rbac-gate ÷ oauth2-proxy, keepalive", rpsRatio("gateKeep", "o2pKeep")),
  apr1: ratio("rbac-gate keepalive ÷ nginx $apr1$", rpsRatio("gateKeep", "apr1")),
  bcrypt10: ratio("rbac-gate keepalive ÷ nginx bcrypt-10", rpsRatio("gateKeep", "bcrypt10")),
  grpc: ratio("rbac-gate gRPC Check ÷ /ext-authz, direct", rpsRatio("grpc", "h1")),
  // Its spread is judged against the floor's median p99: the difference itself is near zero.
  p99Added: ratio(
    `p99 added at ${rate} req/s (rbac-gate − floor, keepalive)`,
    perRound((i) => (of("gatePaced")[i]?.p99 as number) - (of("floorPaced")[i]?.p99 as number)),
    " ms",
    median(of("floorPaced").map((m) => m.p99)),
  ),
};

const rows: Row[] = setups.map((x) => ({ label: x.label, load: x.load, rounds: of(x.key) }));
const gateRss = Math.max(...setups.filter((x) => x.serves === s.gate).flatMap((x) => of(x.key).map((m) => m.rssMb)));
const o2pRss = Math.max(
  ...of("o2pClose")
    .concat(of("o2pKeep"))
    .map((m) => m.rssMb),
);
const cpu = cpus();
process.stdout.write(
  `\nmachine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, Node.js ${process.versions.node}, nginx 1 worker; ${rounds} rounds; ` +
    `wrk -t1 -c${connections} -d${seconds}s; paced ${rate} req/s × ${pacedSeconds} s = ${rate * pacedSeconds} samples per setup and round; ` +
    `rbac-gate NODE_OPTIONS="${gateNodeOptions}" MALLOC_ARENA_MAX=${chartEnv().MALLOC_ARENA_MAX}\n\n`,
);
printRows(rows);
process.stdout.write("\n");
printRatios(Object.values(ratios), unstableAt);
const grpcGateRss = Math.max(
  ...of("grpc")
    .concat(of("h1"))
    .map((m) => m.rssMb),
);
process.stdout.write(
  `\npeak RSS: rbac-gate ${gateRss.toFixed(1)} MB (with the gRPC listener on: ${grpcGateRss.toFixed(1)} MB), oauth2-proxy ${o2pRss.toFixed(1)} MB\n`,
);
process.stdout.write(
  `bench: floor_ratio_close=${fmt(ratios.floorClose.summary.median)} floor_ratio_keepalive=${fmt(ratios.floorKeep.summary.median)} ` +
    `spread_close=${spread(ratios.floorClose.summary)} spread_keepalive=${spread(ratios.floorKeep.summary)} ` +
    `vs_oauth2proxy_close=${fmt(ratios.o2pClose.summary.median)} vs_oauth2proxy_keepalive=${fmt(ratios.o2pKeep.summary.median)} ` +
    `vs_bcrypt10=${fmt(ratios.bcrypt10.summary.median)} p99_added_ms=${fmt(ratios.p99Added.summary.median)} ` +
    `rss_peak_mb=${gateRss.toFixed(0)} grpc_rps=${median(of("grpc").map((m) => m.rps)).toFixed(0)} ` +
    `grpc_vs_http=${fmt(ratios.grpc.summary.median)} ` +
    `floor_ratio_close_new_paths=${fmt(ratios.floorCloseNew.summary.median)} ` +
    `floor_ratio_keepalive_new_paths=${fmt(ratios.floorKeepNew.summary.median)} ` +
    `cpu_vs_floor_close=${fmt(ratios.cpuClose.summary.median)} cpu_vs_floor_keepalive=${fmt(ratios.cpuKeep.summary.median)}\n`,
);
await stopAll();
process.exit(0);
