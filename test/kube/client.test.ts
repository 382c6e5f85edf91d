import { createServer, type Server } from "node:http";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** An answer of 429 Too Many Requests, as API Priority and Fairness gives when a priority level is full. */
class Throttle {
  constructor(readonly seconds: number) {}
}

/** A stand-in apiserver on loopback: answers each POST with respond(path, body). */
async function fakeApiserver(respond: (path: string, body: Record<string, unknown>) => unknown | undefined) {
  const requests: Array<{ path: string; body: Record<string, unknown>; auth?: string }> = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => {
      text += d;
    });
    req.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      requests.push({
        path: req.url ?? "",
        body,
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      });
      const answer = respond(req.url ?? "", body);
      if (answer === undefined) return; // never answers
      if (answer instanceof Throttle) {
        res.writeHead(429, { "Retry-After": String(answer.seconds), "Content-Type": "application/json" }).end("{}");
        return;
      }
      res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "sa-token" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return { config, requests };
}

describe("Kubernetes client", () => {
  it("posts a TokenReview with token and audiences and maps the status to an identity", async () => {
    const api = await fakeApiserver((_path, body) => ({
      ...body,
      status: {
        authenticated: true,
        audiences: ["a"],
        user: { username: "system:serviceaccount:default:consumer", uid: "1", groups: ["g"], extra: { k: ["v"] } },
      },
    }));
    const client = createKubeClient(api.config, { timeoutMs: 1000, qps: 100, burst: 100, maxPendingPerClient: 100 });
    const status = await client.tokenReview({ token: "t0k", audiences: ["a"] });
    expect(status).toEqual({
      authenticated: true,
      audiences: ["a"],
      user: { username: "system:serviceaccount:default:consumer", uid: "1", groups: ["g"], extra: { k: ["v"] } },
    });
    expect(api.requests[0]).toMatchObject({
      path: "/apis/authentication.k8s.io/v1/tokenreviews",
      body: { spec: { token: "t0k", audiences: ["a"] } },
      auth: "Bearer sa-token",
    });
    expect(client.calls.tokenReviews).toBe(1);
  });

  it("posts a SubjectAccessReview and reads allowed, denied and reason", async () => {
    const api = await fakeApiserver((_path, body) => ({
      ...body,
      status: { allowed: false, denied: true, reason: "nope" },
    }));
    const client = createKubeClient(api.config, { timeoutMs: 1000, qps: 100, burst: 100, maxPendingPerClient: 100 });
    const status = await client.accessReview({
      user: "alice",
      groups: ["g"],
      nonResourceAttributes: { path: "/h/x", verb: "get" },
    });
    expect(status).toEqual({ allowed: false, denied: true, reason: "nope" });
    expect(api.requests[0]?.path).toBe("/apis/authorization.k8s.io/v1/subjectaccessreviews");
    expect(api.requests[0]?.body.spec).toEqual({
      user: "alice",
      groups: ["g"],
      nonResourceAttributes: { path: "/h/x", verb: "get" },
    });
  });

  it("gives up after the request timeout instead of waiting for a hung apiserver", async () => {
    const api = await fakeApiserver(() => undefined);
    const client = createKubeClient(api.config, { timeoutMs: 200, qps: 100, burst: 100, maxPendingPerClient: 100 });
    const started = Date.now();
    await expect(client.tokenReview({ token: "t", audiences: [] })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("counts the wait for the rate limit against the request timeout, and sends nothing once it is over", async () => {
    const api = await fakeApiserver((_path, body) => ({ ...body, status: { authenticated: false } }));
    const client = createKubeClient(api.config, { timeoutMs: 300, qps: 1, burst: 1, maxPendingPerClient: 100 });
    await client.tokenReview({ token: "first", audiences: [] });
    const started = Date.now();
    // The next token of the bucket is 1 s away: past the 300 ms deadline.
    await expect(client.tokenReview({ token: "second", audiences: [] })).rejects.toThrow(/deadline/);
    expect(Date.now() - started).toBeLessThan(900);
    expect(api.requests).toHaveLength(1);
  });

  it("refuses a client address's reviews past its pending bound, and still serves other addresses", async () => {
    const api = await fakeApiserver(() => undefined);
    const outcomes: string[] = [];
    const client = createKubeClient(api.config, {
      timeoutMs: 500,
      qps: 100,
      burst: 100,
      maxPendingPerClient: 2,
      onCall: (_kind, outcome) => outcomes.push(outcome),
    });
    const flood = [1, 2].map((i) => client.tokenReview({ token: `f${i}`, audiences: [] }, "192.0.2.1").catch((e) => e));
    await expect(client.tokenReview({ token: "f3", audiences: [] }, "192.0.2.1")).rejects.toThrow(/pending/);
    const other = client.tokenReview({ token: "o", audiences: [] }, "198.51.100.7").catch((e) => e);
    await Promise.all([...flood, other]);
    expect(api.requests.map((r) => (r.body.spec as { token: string }).token).sort()).toEqual(["f1", "f2", "o"]);
    // The refused review was never sent: counted apart from the apiserver's errors (the others timed out).
    expect(outcomes.sort()).toEqual(["error", "error", "error", "refused"]);
  });

  it("counts every address of an IPv6 /64 as one client for the pending bound", async () => {
    const api = await fakeApiserver(() => undefined);
    const client = createKubeClient(api.config, { timeoutMs: 500, qps: 100, burst: 100, maxPendingPerClient: 2 });
    const flood = ["2001:db8:5:5::1", "2001:db8:5:5::2"].map((address, i) =>
      client.tokenReview({ token: `f${i}`, audiences: [] }, address).catch((e) => e),
    );
    await expect(client.tokenReview({ token: "f3", audiences: [] }, "2001:db8:5:5:ffff::9")).rejects.toThrow(/pending/);
    const other = client.tokenReview({ token: "o", audiences: [] }, "2001:db8:5:6::1").catch((e) => e);
    await Promise.all([...flood, other]);
    expect(api.requests.map((r) => (r.body.spec as { token: string }).token).sort()).toEqual(["f0", "f1", "o"]);
  });

  it("sends a review again once after a 429, waiting its Retry-After", async () => {
    let throttled = 0;
    const api = await fakeApiserver((_path, body) =>
      throttled++ === 0 ? new Throttle(0) : { ...body, status: { authenticated: false, error: "invalid" } },
    );
    const client = createKubeClient(api.config, { timeoutMs: 1000, qps: 100, burst: 100, maxPendingPerClient: 100 });
    expect(await client.tokenReview({ token: "t", audiences: [] })).toEqual({ authenticated: false, error: "invalid" });
    expect(api.requests).toHaveLength(2);
  });

  it("fails after a second 429, and never retries past the timeout", async () => {
    const api = await fakeApiserver(() => new Throttle(0));
    const client = createKubeClient(api.config, { timeoutMs: 1000, qps: 100, burst: 100, maxPendingPerClient: 100 });
    await expect(client.tokenReview({ token: "t", audiences: [] })).rejects.toThrow(/429/);
    expect(api.requests).toHaveLength(2);

    const slow = await fakeApiserver(() => new Throttle(5));
    const impatient = createKubeClient(slow.config, { timeoutMs: 500, qps: 100, burst: 100, maxPendingPerClient: 100 });
    await expect(impatient.tokenReview({ token: "t", audiences: [] })).rejects.toThrow(/429/);
    expect(slow.requests).toHaveLength(1);
  });
});
