/**
 * `npm run bench:cluster`: the cold path and the memory bound, against the real test apiserver.
 *
 * Cold path (cold-path.ts), in both ways of checking ServiceAccount tokens at once: two rbac-gate processes, one with
 * kubernetes.serviceAccountTokens.verify "tokenreview" (the default), one with "local", each burst asked of both in
 * turn (which goes first alternates). Bursts of concurrent first requests, each with one new ServiceAccount token;
 * the apiserver's own request counters say how many TokenReviews and SubjectAccessReviews each burst cost
 * (coalescing), and the latency of those cold decisions is compared with the same request once cached. Then single
 * cold requests (one new token each, alone), and a run of distinct forged ServiceAccount tokens in each mode: the
 * TokenReviews they cost.
 *
 * Memory: distinct invalid bearer tokens (each a TokenReview) and distinct wrong passwords (lockouts make most of
 * them cheap), sent straight to rbac-gate; its resident memory is sampled throughout.
 *
 * Ends with:
 *   cluster-bench: bursts=B burst_size=N tokenreviews_per_burst=T sars_per_burst=S cold_p50_ms=… warm_p50_ms=…
 *     cold_p50_ms_tokenreview=… cold_p50_ms_local=… cold_ratio_local=… tokenreviews_per_burst_local=…
 *     sars_per_burst_local=… warm_p50_ms_local=… single_cold_p50_ms_tokenreview=… single_cold_p50_ms_local=…
 *     single_cold_ratio_local=… forged=F forged_tokenreviews_tokenreview=… forged_tokenreviews_local=…
 *     forged_p50_ms_tokenreview=… forged_p50_ms_local=…
 *   memory: invalid_tokens=I wrong_passwords=W rss_max_mb=M rss_end_mb=E bound_mb=200
 *
 *   npm run bench:cluster -- --tokens 1000000 --passwords 1000000
 */
import "./private-tmp.js";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startControlPlane } from "../test/e2e/support/control-plane.js";
import { createGateServiceAccount, startGateInCluster } from "../test/e2e/support/gate-in-cluster.js";
import {
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createServiceAccount,
  createToken,
} from "../test/e2e/support/kube.js";
import { stopAll } from "../test/e2e/support/processes.js";
import { CHART_NODE_OPTIONS, chartEnv } from "./chart-node-options.js";
import { type Ask, type BurstResult, coldBurst, coldSingle, forgedRun, median } from "./cold-path.js";

const { values } = parseArgs({
  options: {
    bursts: { type: "string", default: "5" },
    burst: { type: "string", default: "200" },
    tokens: { type: "string", default: "1000000" },
    passwords: { type: "string", default: "1000000" },
    forged: { type: "string", default: "2000" },
    singles: { type: "string", default: "40" },
    // NODE_OPTIONS for rbac-gate; default: the chart's.
    "node-options": { type: "string", default: CHART_NODE_OPTIONS },
  },
});
const bursts = Number(values.bursts);
const burstSize = Number(values.burst);

const plane = await startControlPlane();
const kube = connect(plane.kubeconfig);
await createGateServiceAccount(kube);
await createIngress(kube, "default", "bench-app", "bench.example.test", "bench-app");
await createClusterRole(kube, "bench-reader", [{ nonResourceURLs: ["/bench.example.test/*"], verbs: ["get"] }]);
await createClusterRoleBinding(kube, "bench-reader", "bench-reader", [
  { kind: "Group", name: "system:serviceaccounts:default" },
]);
const users = execFileSync("htpasswd", ["-nbB", "-C", "10", "victim", "right-password"], { encoding: "utf8" });
// rbac-gate as the chart runs it: NODE_OPTIONS --max-old-space-size and --max-semi-space-size (nodeMaxOldSpaceMB, nodeMaxSemiSpaceMB).
const gateEnv = chartEnv(values["node-options"]);
const env = await startGateInCluster(plane, kube, "  qps: 5000\n  burst: 5000\n", gateEnv);
const local = await startGateInCluster(
  plane,
  kube,
  "  qps: 5000\n  burst: 5000\n  serviceAccountTokens: {verify: local}\n",
  gateEnv,
);
const quiet = (dir: string, more = "") =>
  writeFileSync(
    join(dir, "config.yaml"),
    `${readFileSync(join(dir, "config.yaml"), "utf8").replace("logLevel: debug\n", "logLevel: warn\naudit: {allowSampleRate: 0}\n")}${more}`,
  );
// Static route for the password part, next to the Ingress routes.
writeFileSync(join(env.dir, "users.htpasswd"), users);
quiet(
  env.dir,
  `htpasswd: {files: [{name: bench, path: users.htpasswd}]}
routes: [{host: pw.example.test, htpasswd: bench, allow: {authenticated: true}}]
`,
);
quiet(local.dir);
// The configuration reload picks the route up.
await new Promise((r) => setTimeout(r, 3000));

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const askAt = (port: number, host: string, authorization: string, path = "/") =>
  new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: `/auth?host=${host}`,
        agent,
        headers: {
          "X-Original-URL": `http://${host}${path}`,
          "X-Original-Method": "GET",
          Authorization: authorization,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", reject);
    req.end();
  });
const ask = (host: string, authorization: string) => askAt(env.gate.port, host, authorization);
const modes: Record<"tokenreview" | "local", Ask> = {
  tokenreview: (authorization) => askAt(env.gate.port, "bench.example.test", authorization),
  local: (authorization) => askAt(local.gate.port, "bench.example.test", authorization),
};

// Cold path, both modes in turn, a new ServiceAccount for each burst of each.
const results: Record<keyof typeof modes, BurstResult[]> = { tokenreview: [], local: [] };
for (let b = 0; b < bursts; b++) {
  const order = b % 2 === 0 ? (["tokenreview", "local"] as const) : (["local", "tokenreview"] as const);
  for (const mode of order) {
    const result = await coldBurst(kube, modes[mode], `burst-${mode}-${b}`, burstSize);
    results[mode].push(result);
    process.stderr.write(`burst ${b} ${mode}: ${JSON.stringify(result)}\n`);
  }
}
// Cold decisions one at a time, the modes alternating.
const singles: Record<keyof typeof modes, number[]> = { tokenreview: [], local: [] };
for (let i = 0; i < Number(values.singles); i++) {
  for (const mode of i % 2 === 0 ? (["tokenreview", "local"] as const) : (["local", "tokenreview"] as const)) {
    singles[mode].push(await coldSingle(kube, modes[mode], `single-${mode}-${i}`));
  }
}
process.stderr.write(`singles: ${JSON.stringify(singles)}\n`);
await createServiceAccount(kube, "default", "forger");
const genuine = await createToken(kube, "default", "forger");
const forged = {
  tokenreview: await forgedRun(kube, modes.tokenreview, genuine, Number(values.forged)),
  local: await forgedRun(kube, modes.local, genuine, Number(values.forged)),
};
process.stderr.write(`forged: ${JSON.stringify(forged)}\n`);
const p50 = (mode: keyof typeof modes, of: "coldMs" | "warmMs") => median(results[mode].map((r) => r[of]));
const list = (mode: keyof typeof modes, of: "tr" | "sar") => results[mode].map((r) => r[of]).join(",");

// Memory.
const pid = env.gate.process.child.pid as number;
const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
let rssMax = rssMb();
const sampler = setInterval(() => {
  rssMax = Math.max(rssMax, rssMb());
}, 500);
async function spray(count: number, make: (i: number) => [string, string]) {
  let next = 0;
  let unexpected = 0;
  const statuses: Record<number, number> = {};
  const started = Date.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const [host, authorization] = make(i);
      const r = await ask(host, authorization);
      if (r.status !== 401) unexpected++;
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (i % 100_000 === 0)
        process.stderr.write(
          `  ${i} sent, rss ${rssMb().toFixed(1)} MB, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  process.stderr.write(`  answers: ${JSON.stringify(statuses)}\n`);
  return unexpected;
}
const badTokens = await spray(Number(values.tokens), (i) => [
  "bench.example.test",
  `Bearer invalid-token-${i}-${Math.random().toString(36).slice(2)}`,
]);
const badPasswords = await spray(Number(values.passwords), (i) => [
  "pw.example.test",
  `Basic ${Buffer.from(`victim:wrong-${i}`).toString("base64")}`,
]);
clearInterval(sampler);
const rssEnd = rssMb();

process.stdout.write(
  `cluster-bench: bursts=${bursts} burst_size=${burstSize} tokenreviews_per_burst=${list("tokenreview", "tr")} sars_per_burst=${list("tokenreview", "sar")} cold_p50_ms=${p50("tokenreview", "coldMs").toFixed(2)} warm_p50_ms=${p50("tokenreview", "warmMs").toFixed(2)}` +
    ` cold_p50_ms_tokenreview=${p50("tokenreview", "coldMs").toFixed(2)} cold_p50_ms_local=${p50("local", "coldMs").toFixed(2)} cold_ratio_local=${(p50("local", "coldMs") / p50("tokenreview", "coldMs")).toFixed(2)}` +
    ` tokenreviews_per_burst_local=${list("local", "tr")} sars_per_burst_local=${list("local", "sar")} warm_p50_ms_local=${p50("local", "warmMs").toFixed(2)}` +
    ` single_cold_p50_ms_tokenreview=${median(singles.tokenreview).toFixed(2)} single_cold_p50_ms_local=${median(singles.local).toFixed(2)} single_cold_ratio_local=${(median(singles.local) / median(singles.tokenreview)).toFixed(2)}` +
    ` forged=${values.forged} forged_tokenreviews_tokenreview=${forged.tokenreview.tr} forged_tokenreviews_local=${forged.local.tr} forged_p50_ms_tokenreview=${forged.tokenreview.p50Ms.toFixed(2)} forged_p50_ms_local=${forged.local.p50Ms.toFixed(2)}\n`,
);
process.stdout.write(
  `memory: node_options="${values["node-options"]}" invalid_tokens=${values.tokens} wrong_passwords=${values.passwords} non_401=${badTokens + badPasswords} rss_max_mb=${rssMax.toFixed(1)} rss_end_mb=${rssEnd.toFixed(1)} bound_mb=200\n`,
);
agent.destroy();
await env.upstream.close();
await local.upstream.close();
await stopAll();
await plane.stop();
process.exit(0);
