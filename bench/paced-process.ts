/**
 * The open-loop client of `npm run bench`, in a process of its own (fork() with its parameters as JSON in argv[2]):
 * sends GET requests on a fixed schedule, request i at start + i / rate, whether or not earlier ones have been
 * answered, and measures each latency from its scheduled send time, not from when it actually left. A stall of the
 * server (or of this client) therefore shows in every request that should have been sent during it, which is the
 * correction for coordinated omission that wrk2 makes. The first second runs at the same rate unrecorded (this
 * process compiling its own hot path, sockets being opened), as wrk2 calibrates before it records. Answers once with
 * its samples' percentiles and exits.
 */
import { Agent, request } from "node:http";
import { percentile } from "../test/e2e/support/flood.js";

export interface PacedSpec {
  readonly port: number;
  /** Requests per second offered, whatever the answers. */
  readonly rate: number;
  readonly seconds: number;
  /** Connections kept open to nginx; a request due while all are busy waits for one, and that wait counts. */
  readonly connections: number;
  readonly authorization: string;
}

export interface PacedResult {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Answers other than 200, and requests that failed. */
  readonly errors: number;
}

const spec = JSON.parse(process.argv[2] as string) as PacedSpec;
const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
const WARM_UP_SECONDS = 1;
const warmUp = Math.round(spec.rate * WARM_UP_SECONDS);
const total = warmUp + Math.round(spec.rate * spec.seconds);
const latencies: number[] = [];
let errors = 0;
let sent = 0;
let settled = 0;

const finish = () => {
  agent.destroy();
  const result: PacedResult = {
    samples: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    errors,
  };
  process.send?.(result, () => process.exit(0));
};

const fire = (scheduled: number, recorded: boolean) => {
  const done = (ok: boolean) => {
    if (recorded && ok) latencies.push(performance.now() - scheduled);
    if (recorded && !ok) errors++;
    if (++settled === total) finish();
  };
  const req = request(
    { host: "127.0.0.1", port: spec.port, path: "/", agent, headers: { Authorization: spec.authorization } },
    (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode === 200));
    },
  );
  req.on("error", () => done(false));
  req.end();
};

const start = performance.now() + 20;
// Every tick sends all requests whose time has come, each stamped with its own scheduled time, so timer jitter
// delays sending but never hides the delay.
const tick = () => {
  const now = performance.now();
  while (sent < total && start + (sent * 1000) / spec.rate <= now) {
    fire(start + (sent * 1000) / spec.rate, sent >= warmUp);
    sent++;
  }
  if (sent < total) setTimeout(tick, 1);
};
setTimeout(tick, 20);
