/**
 * `npm run bench:attack`: does a legitimate new login get its answer while rbac-gate is attacked?
 *
 * Everything runs on loopback: the real test apiserver, rbac-gate with the chart's NODE_OPTIONS and default limits,
 * and nginx configured as ingress-nginx renders auth-url. Rounds alternate, quiet then attacked. Each sample is one
 * legitimate client (127.0.0.3) logging in twice at once: Basic (a user never seen before, bcrypt cost 10) and Bearer
 * (a token never seen before). In an attacked round, two attackers, each from a loopback address of its own (nginx
 * reports the source address as X-Real-IP, so rbac-gate sees three clients), send a burst per sample over their
 * open connections, and the logins leave 100 ms later, while the bursts are in flight:
 *   - 400 concurrent wrong passwords for one bcrypt-10 user (127.0.0.2);
 *   - 1,500 concurrent random bearer tokens, each a new TokenReview (127.0.0.4).
 * /healthz is asked every 20 ms throughout, on the health port as the chart's liveness probe asks it. Attack traffic is bounded: 1,900 requests per attacked sample.
 *
 * Bursts, not a closed loop: attackers that resend each answered request at once, forever, measure how many requests
 * per second the machine serves (the legitimate login then queues behind thousands of connections in the accept
 * queue, whatever rbac-gate decides); that is for the proxy's per-address limits (ingress-nginx's
 * limit-connections and limit-rps annotations) to stop.
 *
 * Prints each round, then per condition: p99 over all samples, and the median of the rounds' p99 with min–max.
 * The last line:
 *   attack: login_p99_ms=<n> token_p99_ms=<n> healthz_p99_ms=<n> hashes_evaluated=<n> wrong_accepted=<n>
 * (p99 over every attacked round's samples; hashes_evaluated: password hashes rbac-gate really computed during the
 * attacked rounds, from its metrics, the legitimate logins included; wrong_accepted: flood requests answered 200).
 *
 *   npm run bench:attack -- --rounds 5 --samples 40
 */
import "./private-tmp.js";
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import bcrypt from "bcrypt";
import { startControlPlane } from "../test/e2e/support/control-plane.js";
import { percentile, type Timed, timedGet } from "../test/e2e/support/flood.js";
import { createGateServiceAccount, startGateInCluster } from "../test/e2e/support/gate-in-cluster.js";
import {
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createServiceAccount,
  createToken,
} from "../test/e2e/support/kube.js";
import { freePort } from "../test/e2e/support/ports.js";
import { stopAll } from "../test/e2e/support/processes.js";
import { CHART_NODE_OPTIONS, chartEnv } from "./chart-node-options.js";
import type { AttackerSpec } from "./flood-process.js";
import { peakRssMb } from "./services.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    samples: { type: "string", default: "40" },
    "node-options": { type: "string", default: CHART_NODE_OPTIONS },
  },
});
const rounds = Number(values.rounds);
const samples = Number(values.samples);
const PASSWORD_FLOOD = { address: "127.0.0.2", concurrency: 400 };
const TOKEN_FLOOD = { address: "127.0.0.4", concurrency: 1500 };
// The logins leave this long after the bursts: the attackers' requests are then in flight at nginx and rbac-gate.
const LOGIN_AFTER_MS = 100;
const USER = "127.0.0.3";
const TOKEN_HOST = "bench.example.test";
const PASSWORD_HOST = "pw.example.test";
// Bounds: at most this long for the whole measurement, whatever the answers' latency.
const DEADLINE = Date.now() + 20 * 60_000;
const log = (line: string) => process.stderr.write(`${line}\n`);

// --- The cluster, rbac-gate and nginx.
const plane = await startControlPlane();
const kube = connect(plane.kubeconfig);
await createGateServiceAccount(kube);
await createIngress(kube, "default", "bench-app", TOKEN_HOST, "bench-app");
await createServiceAccount(kube, "default", "user");
await createClusterRole(kube, "bench-reader", [{ nonResourceURLs: [`/${TOKEN_HOST}/*`], verbs: ["get"] }]);
await createClusterRoleBinding(kube, "bench-reader", "bench-reader", [
  { kind: "ServiceAccount", name: "user", namespace: "default" },
]);

// One user per legitimate login, so that every login is new (no cached verification), all of bcrypt cost 10.
const logins = rounds * 2 * samples + 1;
log(`preparing ${logins} bcrypt-10 users and ${logins} ServiceAccount tokens`);
const users = await Promise.all(
  Array.from({ length: logins }, async (_, i) => `user-${i}:${await bcrypt.hash(`password-${i}`, 10)}`),
);
const victim = `victim:${await bcrypt.hash("the-right-password", 10)}`;
const tokens: string[] = [];
for (let i = 0; i < logins; i++) tokens.push(await createToken(kube, "default", "user"));

const metricsPort = await freePort();
const healthPort = await freePort();
// The metrics and health listeners start with the process: top-level keys after the kubernetes section it is given.
// The probes are asked where the chart's kubelet asks them: on the health port.
const env = await startGateInCluster(
  plane,
  kube,
  `metrics: {port: ${metricsPort}}\nhealth: {port: ${healthPort}}\n`,
  chartEnv(values["node-options"]),
  { workerConnections: 16384, backlog: 4096 },
);
// The full configuration, picked up by the reload: quieter logs (denials and errors are still logged), the route.
writeFileSync(join(env.dir, "users.htpasswd"), `${[victim, ...users].join("\n")}\n`);
writeFileSync(
  join(env.dir, "config.yaml"),
  `logLevel: warn
audit: {allowSampleRate: 0}
metrics: {port: ${metricsPort}}
health: {port: ${healthPort}}
kubernetes:
  kubeconfig: kubeconfig
htpasswd: {files: [{name: bench, path: users.htpasswd}]}
routes: [{host: ${PASSWORD_HOST}, htpasswd: bench, allow: {authenticated: true}}]
`,
);
const port = env.nginx.plainPort;
const basic = (user: string, password: string) => ({
  Host: PASSWORD_HOST,
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});
const bearer = (token: string) => ({ Host: TOKEN_HOST, Authorization: `Bearer ${token}` });
const asUser = (headers: Record<string, string>) => timedGet(port, headers, { localAddress: USER });

// The configuration reload picks the route up; the first legitimate login of each kind confirms it.
for (const end = Date.now() + 30_000; ; ) {
  const [b, t] = [await asUser(basic("user-0", "password-0")), await asUser(bearer(tokens[0] as string))];
  if (b.status === 200 && t.status === 200) break;
  if (Date.now() > end) throw new Error(`rbac-gate does not answer 200 (Basic ${b.status}, Bearer ${t.status})`);
  await new Promise((r) => setTimeout(r, 500));
}
let next = 1;

const passwordAttacker = await startAttacker({
  port,
  ...PASSWORD_FLOOD,
  host: PASSWORD_HOST,
  kind: "password",
  user: "victim",
});
const tokenAttacker = await startAttacker({ port, ...TOKEN_FLOOD, host: TOKEN_HOST, kind: "token" });
// One burst each first, unmeasured: the attackers' connections are open from then on (as an attacker keeps them).
await Promise.all([passwordAttacker.burst(), tokenAttacker.burst()]);

/** Password hashes rbac-gate computed so far (checks that ran a hash: not refused, not abandoned in the queue). */
async function hashesEvaluated(): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  let total = 0;
  for (const m of text.matchAll(/^rbac_gate_password_checks_seconds_count\{outcome="([a-z_]+)"\} (\d+)/gm)) {
    if (["verified", "wrong", "deadline_running", "failed"].includes(m[1] as string)) total += Number(m[2]);
  }
  return total;
}

/** An attacker in a child process: burst() sends one burst and resolves with its answers by status. */
async function startAttacker(spec: AttackerSpec) {
  const child = fork(new URL("./flood-process.ts", import.meta.url), [JSON.stringify(spec)], {
    execArgv: ["--import", "tsx"],
  });
  await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", reject);
  });
  return {
    burst: () =>
      new Promise<Record<number, number>>((resolve) => {
        child.once("message", (statuses) => resolve(statuses as Record<number, number>));
        child.send("burst");
      }),
    close: () => child.send("close"),
  };
}

interface Round {
  readonly attacked: boolean;
  readonly basic: Timed[];
  readonly bearer: Timed[];
  readonly healthz: number[];
  readonly hashes: number;
  readonly floods?: { passwords: Record<number, number>; tokens: Record<number, number> };
}

const add = (into: Record<number, number>, from: Record<number, number>) => {
  for (const [status, n] of Object.entries(from)) into[Number(status)] = (into[Number(status)] ?? 0) + n;
};

async function round(attacked: boolean): Promise<Round> {
  const hashesBefore = await hashesEvaluated();
  const healthz: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const started = performance.now();
      const answer = await timedGet(healthPort, {}, { path: "/healthz" }).catch(() => ({ status: 0, ms: 0 }));
      healthz.push(answer.status === 200 ? answer.ms : Number.POSITIVE_INFINITY);
      await new Promise((r) => setTimeout(r, Math.max(0, 20 - (performance.now() - started))));
    }
  })();
  const floods = { passwords: {}, tokens: {} };
  const basicAnswers: Timed[] = [];
  const bearerAnswers: Timed[] = [];
  for (let i = 0; i < samples && Date.now() < DEADLINE; i++) {
    const n = next++;
    // Both bursts are sent, and the logins go out while they are in flight.
    const bursts = attacked ? [passwordAttacker.burst(), tokenAttacker.burst()] : [];
    if (attacked) await new Promise((r) => setTimeout(r, LOGIN_AFTER_MS));
    const [b, t] = await Promise.all([
      asUser(basic(`user-${n}`, `password-${n}`)),
      asUser(bearer(tokens[n] as string)),
    ]);
    basicAnswers.push(b);
    bearerAnswers.push(t);
    const [p, k] = await Promise.all(bursts);
    if (p) add(floods.passwords, p);
    if (k) add(floods.tokens, k);
  }
  sampling = false;
  await sampler;
  return {
    attacked,
    basic: basicAnswers,
    bearer: bearerAnswers,
    healthz,
    hashes: (await hashesEvaluated()) - hashesBefore,
    ...(attacked ? { floods } : {}),
  };
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "inf");
/** Latencies of answers; one that was not a 200 never got its answer, and counts as infinitely slow. */
const okMs = (answers: readonly Timed[]) => answers.map((a) => (a.status === 200 ? a.ms : Number.POSITIVE_INFINITY));
const results: Round[] = [];
for (let r = 0; r < rounds * 2 && Date.now() < DEADLINE; r++) {
  const result = await round(r % 2 === 1);
  results.push(result);
  const not200 = [...result.basic, ...result.bearer].filter((a) => a.status !== 200).length;
  log(
    `round ${Math.floor(r / 2) + 1} ${result.attacked ? "attacked" : "quiet   "}: ` +
      `basic p50=${ms(percentile(okMs(result.basic), 50))} p99=${ms(percentile(okMs(result.basic), 99))} ` +
      `bearer p50=${ms(percentile(okMs(result.bearer), 50))} p99=${ms(percentile(okMs(result.bearer), 99))} ` +
      `healthz p99=${ms(percentile(result.healthz, 99))} (${result.healthz.length}) non_200=${not200} hashes=${result.hashes}` +
      (result.floods
        ? ` password_flood=${JSON.stringify(result.floods.passwords)} token_flood=${JSON.stringify(result.floods.tokens)}`
        : ""),
  );
}

/** p99 over all samples of the condition, and the median (min–max) of the rounds' p99. */
function summary(attacked: boolean, pick: (r: Round) => number[]) {
  const of = results.filter((r) => r.attacked === attacked);
  const perRound = of.map((r) => percentile(pick(r), 99)).sort((a, b) => a - b);
  return {
    p99: percentile(of.flatMap(pick), 99),
    line: `p99=${ms(percentile(of.flatMap(pick), 99))} ms over ${of.flatMap(pick).length} samples, round p99 median=${ms(
      percentile(perRound, 50),
    )} (${ms(perRound[0] ?? Number.NaN)}–${ms(perRound.at(-1) ?? Number.NaN)})`,
  };
}
const attacked = results.filter((r) => r.attacked);
for (const [name, pick] of [
  ["login (Basic)", (r: Round) => okMs(r.basic)],
  ["token (Bearer)", (r: Round) => okMs(r.bearer)],
  ["/healthz", (r: Round) => r.healthz],
] as const) {
  log(`${name.padEnd(15)} quiet:    ${summary(false, pick).line}`);
  log(`${name.padEnd(15)} attacked: ${summary(true, pick).line}`);
}
const wrongAccepted = attacked.reduce((n, r) => n + (r.floods?.passwords[200] ?? 0) + (r.floods?.tokens[200] ?? 0), 0);
const hashes = attacked.reduce((n, r) => n + r.hashes, 0);
const sent = (pick: (r: Round) => Record<number, number> | undefined) =>
  attacked.reduce((n, r) => n + Object.values(pick(r) ?? {}).reduce((a, b) => a + b, 0), 0);
log(
  `attacked rounds: wrong passwords answered=${sent((r) => r.floods?.passwords)}, random tokens answered=${sent(
    (r) => r.floods?.tokens,
  )}, legitimate Basic logins=${attacked.reduce((n, r) => n + r.basic.length, 0)} (each one hash)`,
);
// Peak resident memory of the rbac-gate process over the whole run (the kernel's high-water mark).
log(`rbac-gate: node options "${values["node-options"]}", rss_peak_mb=${Math.round(peakRssMb(env.gate.process))}`);
const p99 = (pick: (r: Round) => number[]) => Math.round(summary(true, pick).p99);
process.stdout.write(
  `attack: login_p99_ms=${p99((r) => okMs(r.basic))} token_p99_ms=${p99((r) => okMs(r.bearer))} healthz_p99_ms=${p99((r) => r.healthz)} hashes_evaluated=${hashes} wrong_accepted=${wrongAccepted}\n`,
);
passwordAttacker.close();
tokenAttacker.close();
await env.upstream.close();
await stopAll();
await plane.stop();
process.exit(0);
