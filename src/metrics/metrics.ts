/**
 * Prometheus metrics. Labels are small fixed sets (dialect, result, code, cache, kind); never user names, paths,
 * hosts or tokens, so cardinality stays bounded whatever the traffic.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { HashOutcome } from "../authn/htpasswd/hash-pool.js";
import type { LoadSource } from "../cache/bounded-cache.js";
import type { Decision } from "../decision/decision.js";
import { VERSION } from "../version.js";
import { type CounterSeries, type HistogramSeries, LeanHistogram, PendingCounts } from "./request-series.js";

/** "allow": allow answers remembered for identical requests (http/repeated-allows.ts). */
export type CacheName = "password" | "tokenreview" | "oidc" | "serviceaccount" | "subjectaccessreview" | "allow";
export type ApiCall = "tokenreview" | "subjectaccessreview";
/** "refused": never sent, the client-side rate limit refused it (the address's bound, the queue's, or the deadline). */
export type ApiCallOutcome = "success" | "error" | "refused";
/** One watch of the apiserver: its name ("ingresses", "secrets in team-a") and whether it works now. */
export interface WatchState {
  readonly watch: string;
  readonly up: boolean;
}

/** What the service records. Without a metrics listener nobody can read it: then UNSCRAPED (unscraped.ts) takes it. */
export interface Metrics {
  decision(dialect: string, decision: Decision, seconds: number): void;
  cache(cache: CacheName, source: LoadSource): void;
  apiserverCall(kind: ApiCall, outcome: ApiCallOutcome, seconds: number): void;
  htpasswdUsers(source: string, users: number, weak: number): void;
  configReload(result: "success" | "failure"): void;
  lockout(kind: "user" | "address"): void;
  passwordCheck(outcome: HashOutcome, seconds: number): void;
  /**
   * Adds a reader of watch states, asked at every scrape so the gauge always says what readiness sees; returns
   * its removal. During a reload the new service's reader is added before the old one's is removed: later wins.
   */
  watches(read: () => readonly WatchState[]): () => void;
}

/** Metrics kept in prom-client's registry, for the metrics listener to serve. */
export interface ScrapedMetrics extends Metrics {
  readonly registry: Registry;
}

/** The decision's kind, the word the audit log writes too (`decision`), so a log line and a series match. */
const RESULT: Record<Decision["kind"], string> = {
  allow: "allow",
  unauthenticated: "unauthenticated",
  forbidden: "forbidden",
  error: "error",
};

export function createMetrics(): ScrapedMetrics {
  const registry = new Registry();
  // Process and runtime metrics keep prom-client's standard names (process_*, nodejs_*), which the usual Node.js
  // and process dashboards query; rbac-gate's own metrics carry the rbac_gate_ prefix.
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "rbac_gate_build_info",
    help: "1, labelled with the version of rbac-gate and of Node.js it runs on.",
    labelNames: ["version", "node"],
    registers: [registry],
  }).set({ version: VERSION, node: process.versions.node }, 1);
  // The per-request series are counted without prom-client's per-call label hashing (request-series.ts).
  const decisionCounts: PendingCounts = new PendingCounts(() => decisions);
  const decisions: Counter = new Counter({
    name: "rbac_gate_decisions_total",
    help: "Decisions by dialect endpoint, result (allow, unauthenticated, forbidden, error: the audit log's decision) and reason code.",
    labelNames: ["dialect", "result", "code"],
    registers: [registry],
    collect: () => decisionCounts.flush(),
  });
  const latency = new LeanHistogram(
    "rbac_gate_decision_duration_seconds",
    "Time from request to answer, by dialect endpoint and result.",
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  );
  const cacheCounts: PendingCounts = new PendingCounts(() => caches);
  const caches: Counter = new Counter({
    collect: () => cacheCounts.flush(),
    name: "rbac_gate_cache_requests_total",
    help: "Cache lookups by cache and result: hit, miss (the apiserver or the hash was asked; for allow: the pipeline ran and its allow was stored), stale (answered from an expired entry while the apiserver was unreachable).",
    labelNames: ["cache", "result"],
    registers: [registry],
  });
  const calls = new Counter({
    name: "rbac_gate_apiserver_requests_total",
    help: "TokenReview and SubjectAccessReview calls to the apiserver, by outcome: success, error, refused (never sent: the client address had too many pending, the queue was full, or the request deadline passed while waiting for the rate limit).",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  const callLatency = new Histogram({
    name: "rbac_gate_apiserver_request_duration_seconds",
    help: "Duration of apiserver calls, client-side rate-limit wait included.",
    labelNames: ["kind"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const users = new Gauge({
    name: "rbac_gate_htpasswd_users",
    help: "Users loaded per htpasswd source.",
    labelNames: ["source"],
    registers: [registry],
  });
  const weak = new Gauge({
    name: "rbac_gate_htpasswd_weak_users",
    help: "Users with a weak password hash scheme per htpasswd source.",
    labelNames: ["source"],
    registers: [registry],
  });
  const reloads = new Counter({
    name: "rbac_gate_config_reloads_total",
    help: "Configuration reloads by result.",
    labelNames: ["result"],
    registers: [registry],
  });
  const lockouts = new Counter({
    name: "rbac_gate_regulation_lockouts_total",
    help: "Basic-auth lockouts started, by what was locked (user or client address).",
    labelNames: ["kind"],
    registers: [registry],
  });
  const watchReaders = new Set<() => readonly WatchState[]>();
  new Gauge({
    name: "rbac_gate_watch_up",
    help: "1 while a watch of the apiserver works, 0 while it is broken (the last synced state keeps serving; readiness falls after kubernetes.watchFailureGrace).",
    labelNames: ["watch"],
    registers: [registry],
    collect() {
      this.reset();
      for (const read of watchReaders) for (const state of read()) this.labels(state.watch).set(state.up ? 1 : 0);
    },
  });
  const hashes = new Histogram({
    name: "rbac_gate_password_checks_seconds",
    help: "Password checks on the hash pool by outcome (verified, wrong, busy: refused with a full queue share, deadline_queued and deadline_running: abandoned at the deadline, failed), from asking to answer.",
    labelNames: ["outcome"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // Children are looked up once per label set, not per request.
  const children = new Map<string, { count: CounterSeries; seconds: HistogramSeries }>();
  const child = (dialect: string, decision: Decision) => {
    const result = RESULT[decision.kind];
    const code = decision.kind === "allow" ? "allowed" : decision.code;
    const key = `${dialect}\u0000${result}\u0000${code}`;
    let c = children.get(key);
    if (!c) {
      c = { count: decisionCounts.of({ dialect, result, code }), seconds: latency.of({ dialect, result }) };
      children.set(key, c);
    }
    return c;
  };

  const cacheChildren = new Map<string, CounterSeries>();

  return {
    registry,
    decision(dialect, decision, seconds) {
      const c = child(dialect, decision);
      c.count.inc();
      c.seconds.observe(seconds);
    },
    cache(cache, source) {
      const key = `${cache}\u0000${source}`;
      let c = cacheChildren.get(key);
      if (!c) {
        c = cacheCounts.of({ cache, result: source });
        cacheChildren.set(key, c);
      }
      c.inc();
    },
    apiserverCall(kind, outcome, seconds) {
      calls.labels(kind, outcome).inc();
      callLatency.labels(kind).observe(seconds);
    },
    htpasswdUsers(source, count, weakCount) {
      users.labels(source).set(count);
      weak.labels(source).set(weakCount);
    },
    configReload: (result) => reloads.labels(result).inc(),
    lockout: (kind) => lockouts.labels(kind).inc(),
    passwordCheck: (outcome, seconds) => hashes.labels(outcome).observe(seconds),
    watches(read) {
      watchReaders.add(read);
      return () => watchReaders.delete(read);
    },
  };
}
