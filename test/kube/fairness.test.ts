/**
 * The apiserver path under a flood of new bearer tokens, on a fake clock: the real review client (rate limit, fair
 * queues, deadline) and the real cached TokenReview authenticator, over a fake poster that answers in 10 ms.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenReviewAuthenticator } from "../../src/authn/token-review.js";
import { BoundedCache } from "../../src/cache/bounded-cache.js";
import { createSecretKeyer } from "../../src/cache/secret-key.js";
import { createReviewClient } from "../../src/kube/client.js";
import type { ReviewPoster } from "../../src/kube/review-poster.js";
import { bearerRoute } from "../support/routes.js";

const route = bearerRoute;
const FLOODER = "203.0.113.9";
const USER = "198.51.100.7";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Authenticates only tokens named "valid…", after 10 ms. */
const poster: ReviewPoster = {
  post: (_path, body) =>
    new Promise((resolve) => {
      const { token } = (body as { spec: { token: string } }).spec;
      const status = token.startsWith("valid")
        ? { authenticated: true, user: { username: "system:serviceaccount:default:user", groups: [] } }
        : { authenticated: false, error: "invalid bearer token" };
      setTimeout(() => resolve({ status }), 10);
    }),
  close: () => undefined,
};

function gate() {
  const client = createReviewClient(poster, {
    timeoutMs: 5000,
    qps: 50,
    burst: 100,
    maxPendingPerClient: 100,
    now: () => Date.now(),
  });
  const authenticator = createTokenReviewAuthenticator({
    review: client.tokenReview,
    cache: new BoundedCache({ maxEntries: 10_000, ttlMs: 120_000 }),
    key: createSecretKeyer(),
    ttlMs: 120_000,
    failureTtlMs: 10_000,
    audiences: [],
  });
  const authenticate = (token: string, clientAddress: string) =>
    authenticator.authenticate({ kind: "bearer", token }, route, {
      method: "GET",
      host: "a.example.com",
      path: "/",
      clientAddress,
    });
  /** Sends `count` distinct invalid tokens of `address` at once; counts 401s and faults (500s) as they come. */
  const outcomes = { rejected: 0, faults: 0 };
  let n = 0;
  const flood = (count: number, address = FLOODER) => {
    for (let i = 0; i < count; i++) {
      authenticate(`invalid-${n++}`, address).then(
        () => outcomes.rejected++,
        () => outcomes.faults++,
      );
    }
  };
  return { authenticate, flood, outcomes };
}

/** Fake milliseconds until `promise` settles, advancing the clock 1 ms at a time up to `limitMs`. */
async function timeToSettle(promise: Promise<unknown>, limitMs: number): Promise<number> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  const started = Date.now();
  await vi.advanceTimersByTimeAsync(0);
  while (!settled && Date.now() - started < limitMs) await vi.advanceTimersByTimeAsync(1);
  return settled ? Date.now() - started : Number.POSITIVE_INFINITY;
}

describe("apiserver fairness under a flood of invalid bearer tokens", () => {
  /** Two waves: the first drains the bucket, the second fills the flooders' queues up to their pending bound. */
  async function floodFrom(g: ReturnType<typeof gate>, count: number, addresses: readonly string[]) {
    for (const a of addresses) g.flood(count, a);
    await vi.advanceTimersByTimeAsync(15);
    for (const a of addresses) g.flood(count, a);
    await vi.advanceTimersByTimeAsync(5);
  }

  it("a flood of invalid tokens from one address does not delay a new valid token from another address past 100 ms", async () => {
    const g = gate();
    await floodFrom(g, 1500, [FLOODER]);
    const answer = g.authenticate("valid-new-token", USER);
    // One rate-limit turn (20 ms at 50/s) plus the 10 ms review; one queue for all would be 100 turns (2 s).
    expect(await timeToSettle(answer, 5000)).toBeLessThan(100);
    await expect(answer).resolves.toMatchObject({ kind: "authenticated" });
  });

  it("floods from a few addresses delay a new valid token by one turn per flooding address, not by their queues", async () => {
    const g = gate();
    await floodFrom(g, 500, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]);
    expect(await timeToSettle(g.authenticate("valid-new-token", USER), 5000)).toBeLessThan(120);
  });

  it("a cached decision never waits behind the uncached queue", async () => {
    const g = gate();
    await timeToSettle(g.authenticate("valid-cached-token", USER), 1000);
    // Every queue full, its own address's included, and the bucket empty.
    await floodFrom(g, 500, [FLOODER, "203.0.113.2", USER]);
    // Settles without the clock moving at all: no rate-limit turn, no timer.
    expect(await timeToSettle(g.authenticate("valid-cached-token", USER), 0)).toBe(0);
  });

  it("answers the flooder past its pending bound with a fault (500) at once, and keeps answering everyone else", async () => {
    const g = gate();
    g.flood(1500);
    await vi.advanceTimersByTimeAsync(0);
    // The burst's 100 calls are in flight; the other 1,400 are refused without waiting.
    expect(g.outcomes.faults).toBe(1400);
    const answers = Array.from({ length: 20 }, (_, i) => g.authenticate(`valid-${i}`, `198.51.100.${i}`));
    await vi.advanceTimersByTimeAsync(1000);
    for (const answer of answers) await expect(answer).resolves.toMatchObject({ kind: "authenticated" });
    expect(g.outcomes.rejected).toBe(100);
  });
});
