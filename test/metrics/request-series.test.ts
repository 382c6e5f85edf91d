import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LeanHistogram, PendingCounts } from "../../src/metrics/request-series.js";
import { seededRandom } from "../support/seeded-random.js";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

describe("LeanHistogram", () => {
  it("exposes exactly what prom-client's Histogram exposes for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const lean = new LeanHistogram("latency_seconds", "Latency.", BUCKETS, ours);
    const reference = new Histogram({
      name: "latency_seconds",
      help: "Latency.",
      labelNames: ["dialect", "result"],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const { next: random, pick: pickOf } = seededRandom(20261130);
    const labelSets = [
      { dialect: "ingress-nginx", result: "allow" },
      { dialect: "ingress-nginx", result: "forbidden" },
      { dialect: "envoy", result: "allow" },
    ];
    // Label sets first seen in the same order on both sides, then values on bucket edges, inside, above the last.
    for (const labels of labelSets) {
      lean.of(labels).observe(0.001);
      reference.observe(labels, 0.001);
    }
    for (let i = 0; i < 5000; i++) {
      const labels = pickOf(labelSets);
      const pick = random();
      const seconds =
        pick < 0.3
          ? (BUCKETS[Math.floor(random() * BUCKETS.length)] as number)
          : pick < 0.95
            ? random() * 0.2
            : 3 + random();
      lean.of(labels).observe(seconds);
      reference.observe(labels, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe("PendingCounts", () => {
  it("hands every increment to the Counter at scrape, once", async () => {
    const registry = new Registry();
    const pending: PendingCounts = new PendingCounts(() => counter);
    const counter: Counter = new Counter({
      name: "decisions_total",
      help: "Decisions.",
      labelNames: ["result"],
      registers: [registry],
      collect: () => pending.flush(),
    });
    const allow = pending.of({ result: "allow" });
    for (let i = 0; i < 3; i++) allow.inc();
    expect(await registry.metrics()).toContain('decisions_total{result="allow"} 3');
    expect(await registry.metrics()).toContain('decisions_total{result="allow"} 3');
    allow.inc();
    expect(await registry.metrics()).toContain('decisions_total{result="allow"} 4');
  });
});
