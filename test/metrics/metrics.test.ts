import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/metrics.js";
import { createMetricsServer } from "../../src/metrics/server.js";
import { nginxAuthPathFor } from "../support/dialects.js";
import { readFixture } from "../support/fixtures.js";
import { serviceFromFiles } from "../support/service.js";

// alice (bcrypt) and bob ($apr1$); the fixture records the htpasswd command of each.
const USERS = readFixture("htpasswd/team.htpasswd");
const CONFIG = `
htpasswd: {files: [{name: team, path: users.htpasswd}]}
routes: [{host: app.example.com, htpasswd: team, allow: {users: [alice]}}]
`;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

const scraped = createMetrics();
let service: Awaited<ReturnType<typeof serviceFromFiles>>;
beforeAll(async () => {
  service = await serviceFromFiles({ "config.yaml": CONFIG, "users.htpasswd": USERS }, { metrics: scraped });
  const auth = (authorization?: string, url = "http://app.example.com/secret-path") => {
    const r = request(service.app)
      .get(nginxAuthPathFor(url))
      .set("X-Original-URL", url)
      .set("X-Original-Method", "GET");
    return authorization ? r.set("Authorization", authorization) : r;
  };
  await auth(basic("alice", "alice-pw"));
  await auth(basic("alice", "alice-pw"));
  await auth(basic("bob", "bob-pw"));
  await auth();
  await auth(basic("alice", "wrong-password"));
  await auth(undefined, "http://other.example.com/");
});
afterAll(() => service.close());

const scrape = () => request(createMetricsServer(scraped)).get("/metrics");

describe("Prometheus metrics", () => {
  it("count decisions by dialect, result and reason code", async () => {
    const text = (await scrape()).text;
    expect(text).toContain('rbac_gate_decisions_total{dialect="ingress-nginx",result="allow",code="allowed"} 2');
    expect(text).toContain('rbac_gate_decisions_total{dialect="ingress-nginx",result="forbidden",code="denied"} 1');
    expect(text).toContain(
      'rbac_gate_decisions_total{dialect="ingress-nginx",result="unauthenticated",code="no_credentials"} 1',
    );
    expect(text).toContain(
      'rbac_gate_decisions_total{dialect="ingress-nginx",result="unauthenticated",code="bad_credentials"} 1',
    );
    expect(text).toContain('rbac_gate_decisions_total{dialect="ingress-nginx",result="forbidden",code="no_route"} 1');
    expect(text).toMatch(/rbac_gate_decision_duration_seconds_count\{dialect="ingress-nginx",result="allow"\} 2/);
  });

  it("count password cache hits and misses and the users loaded, weak ones apart", async () => {
    const text = (await scrape()).text;
    expect(text).toContain('rbac_gate_cache_requests_total{cache="password",result="hit"} 1');
    expect(text).toContain('rbac_gate_cache_requests_total{cache="password",result="miss"} 3');
    expect(text).toContain('rbac_gate_htpasswd_users{source="team"} 2');
    expect(text).toContain('rbac_gate_htpasswd_weak_users{source="team"} 1');
  });

  it("never carry user names, paths, hosts or credentials", async () => {
    const text = (await scrape()).text;
    for (const secret of ["alice", "bob", "secret-path", "app.example.com", "alice-pw", "wrong-password"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("keep the standard process and Node.js names the usual dashboards query, and name no gauge *_total", async () => {
    const text = (await scrape()).text;
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toMatch(/^rbac_gate_(process|nodejs)_/m);
    const gauges = [...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
    expect(gauges.filter((name) => name?.startsWith("rbac_gate_") && name.endsWith("_total"))).toEqual([]);
    expect(text).toMatch(/^rbac_gate_build_info\{version="[^"]+",node="[^"]+"\} 1$/m);
  });

  it("answer only GET /metrics", async () => {
    expect((await request(createMetricsServer(scraped)).get("/other")).status).toBe(404);
  });
});

describe("The watch gauge", () => {
  it("says 1 for each working watch and 0 for a broken one at every scrape, and forgets a stopped service's watches", async () => {
    const metrics = createMetrics();
    let secretsUp = true;
    const remove = metrics.watches(() => [
      { watch: "ingresses", up: true },
      { watch: "secrets in team-a", up: secretsUp },
    ]);
    const watchUp = async () => (await metrics.registry.getSingleMetricAsString("rbac_gate_watch_up")).split("\n");
    expect(await watchUp()).toContain('rbac_gate_watch_up{watch="secrets in team-a"} 1');
    secretsUp = false;
    expect(await watchUp()).toContain('rbac_gate_watch_up{watch="secrets in team-a"} 0');
    expect(await watchUp()).toContain('rbac_gate_watch_up{watch="ingresses"} 1');
    // A reload: the new service's reader is added, then the old one's removed.
    metrics.watches(() => [{ watch: "ingresses", up: true }]);
    remove();
    expect((await watchUp()).filter((l) => l.startsWith("rbac_gate_watch_up{"))).toEqual([
      'rbac_gate_watch_up{watch="ingresses"} 1',
    ]);
  });
});
