/** The tables `npm run bench` prints: one row per setup over its rounds, then one line per ratio. */
import { fmt, median, type Summary, spread } from "./rounds.js";

/** One setup in one round. */
export interface Measured {
  /** Throughput (closed loop); NaN for a paced setup. */
  readonly rps: number;
  readonly p99: number;
  /** Answers other than 2xx (wrk, h2load), or other than 200 and failed requests (paced). */
  readonly errors: number;
  /** Latency samples (paced); NaN for wrk. */
  readonly samples: number;
  /** Peak resident memory of the answering process during this setup. */
  readonly rssMb: number;
  /**
   * CPU time (user + system) the answering process spent per request answered, in µs; NaN for a paced setup. Less
   * sensitive to a busy host than throughput: it counts what the process itself did.
   */
  readonly cpuUs: number;
}

export interface Row {
  readonly label: string;
  /** Closed loop (wrk, or h2load for gRPC and HTTP/1.1 direct), or the paced client. */
  readonly load: "wrk" | "paced" | "grpc" | "h1";
  readonly rounds: readonly Measured[];
}

export interface Ratio {
  readonly name: string;
  readonly summary: Summary;
  readonly unit: string;
  readonly unstable: boolean;
}

const pad = (x: string, n: number) => x.padEnd(n);
const medianSpread = (xs: number[]) => {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return `${fmt(median(xs))} (${fmt(min)}-${fmt(max)})`;
};

export function printRows(rows: readonly Row[]): void {
  process.stdout.write(
    `${pad("setup", 54)} ${pad("req/s median (min-max)", 24)} ${pad("p99 ms median (min-max)", 25)} ${pad("RSS peak MB", 12)} ${pad("CPU µs/req", 20)} errors\n`,
  );
  for (const r of rows) {
    // A paced row has no throughput of its own (its rate is fixed): its column shows how many latencies each of its
    // rounds recorded instead.
    const rps =
      r.load !== "paced"
        ? medianSpread(r.rounds.map((m) => m.rps))
        : `${Math.min(...r.rounds.map((m) => m.samples))} samples`;
    const rss = Math.max(...r.rounds.map((m) => m.rssMb)).toFixed(1);
    const errors = r.rounds.reduce((n, m) => n + m.errors, 0);
    const cpu = r.load !== "paced" ? medianSpread(r.rounds.map((m) => m.cpuUs)) : "-";
    process.stdout.write(
      `${pad(r.label, 54)} ${pad(rps, 24)} ${pad(medianSpread(r.rounds.map((m) => m.p99)), 25)} ${pad(rss, 12)} ${pad(cpu, 20)} ${errors}\n`,
    );
  }
}

export function printRatios(ratios: readonly Ratio[], unstableAt: number): void {
  process.stdout.write(
    `${pad("ratio (per round, then over rounds)", 58)} ${pad("median", 8)} ${pad("min-max", 14)} spread\n`,
  );
  for (const r of ratios) {
    const share = `${(r.summary.relativeSpread * 100).toFixed(0)} %`;
    process.stdout.write(
      `${pad(r.name, 58)} ${pad(`${fmt(r.summary.median)}${r.unit}`, 8)} ${pad(spread(r.summary), 14)} ${share}${r.unstable ? "  unstable" : ""}\n`,
    );
  }
  process.stdout.write(
    `(spread: (max − min) / median, for the p99 added / the floor's median p99; unstable above ${(unstableAt * 100).toFixed(0)} %)\n`,
  );
}
