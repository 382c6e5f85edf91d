import { describe, expect, it } from "vitest";
import { createTokenReviewAuthenticator, jwtExpiry, type TokenReviewer } from "../../src/authn/token-review.js";
import { BoundedCache } from "../../src/cache/bounded-cache.js";
import { createSecretKeyer } from "../../src/cache/secret-key.js";
import { bearerRoute } from "../support/routes.js";

const route = bearerRoute;
const request = { method: "GET", host: "a.example.com", path: "/" };
const consumer = { username: "system:serviceaccount:default:consumer", groups: ["system:authenticated"] };
const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

function setup(review: TokenReviewer, audiences: string[] = [], maxStaleMs = 0) {
  let now = 1_000_000;
  const calls: Array<{ token: string; audiences: readonly string[] }> = [];
  const authenticator = createTokenReviewAuthenticator({
    review: async (spec, client) => {
      calls.push(spec);
      return review(spec, client);
    },
    cache: new BoundedCache({ maxEntries: 100, ttlMs: 120_000, maxStaleMs, now: () => now }),
    key: createSecretKeyer(),
    ttlMs: 120_000,
    failureTtlMs: 10_000,
    audiences,
  });
  return { authenticator, calls, advance: (ms: number) => (now += ms), now: () => now };
}

/** An apiserver that authenticates every token while up, with a cache that may answer 60 s stale. */
function withOutage() {
  const apiserver = { up: true };
  const t = setup(
    async () => {
      if (!apiserver.up) throw new Error("apiserver down");
      return { authenticated: true, user: consumer };
    },
    [],
    60_000,
  );
  return { ...t, apiserver };
}

describe("TokenReview authenticator", () => {
  it("authenticates with the identity the apiserver returns and caches it for the TTL", async () => {
    const t = setup(async () => ({ authenticated: true, user: consumer }));
    expect(await t.authenticator.authenticate({ kind: "bearer", token: "tok" }, route, request)).toEqual({
      kind: "authenticated",
      user: consumer,
      cache: "miss",
    });
    t.advance(119_000);
    expect(await t.authenticator.authenticate({ kind: "bearer", token: "tok" }, route, request)).toMatchObject({
      cache: "hit",
    });
    expect(t.calls).toHaveLength(1);
    t.advance(2000);
    await t.authenticator.authenticate({ kind: "bearer", token: "tok" }, route, request);
    expect(t.calls).toHaveLength(2);
  });

  it("never keeps an answer past the token's own expiry", async () => {
    const t = setup(async () => ({ authenticated: true, user: consumer }));
    const token = jwt({ exp: (t.now() + 30_000) / 1000 });
    await t.authenticator.authenticate({ kind: "bearer", token }, route, request);
    t.advance(31_000);
    await t.authenticator.authenticate({ kind: "bearer", token }, route, request);
    expect(t.calls).toHaveLength(2);
  });

  it("never serves a stale answer past the token's exp while the apiserver is down", async () => {
    const t = withOutage();
    const token = jwt({ exp: (t.now() + 150_000) / 1000 });
    await t.authenticator.authenticate({ kind: "bearer", token }, route, request);
    t.apiserver.up = false;
    // TTL (2 min) over, exp 30 s ahead: the last answer is repeated...
    t.advance(125_000);
    expect(await t.authenticator.authenticate({ kind: "bearer", token }, route, request)).toMatchObject({
      kind: "authenticated",
      cache: "stale",
    });
    // ...until exp, although maxStale (60 s past the TTL) would allow 55 s more.
    t.advance(25_000);
    await expect(t.authenticator.authenticate({ kind: "bearer", token }, route, request)).rejects.toThrow(
      "apiserver down",
    );
  });

  it("never repeats the answer for a token without a readable expiry past its TTL", async () => {
    const t = withOutage();
    for (const token of ["opaque-static-token", jwt({ sub: "no-exp" })]) {
      t.apiserver.up = true;
      await t.authenticator.authenticate({ kind: "bearer", token }, route, request);
      t.apiserver.up = false;
      t.advance(120_000);
      await expect(t.authenticator.authenticate({ kind: "bearer", token }, route, request)).rejects.toThrow(
        "apiserver down",
      );
    }
  });

  it("passes the request's client address to the review, for fairness between addresses", async () => {
    const clients: Array<string | undefined> = [];
    const t = setup(async (_spec, client) => {
      clients.push(client);
      return { authenticated: false };
    });
    await t.authenticator.authenticate({ kind: "bearer", token: "a" }, route, {
      ...request,
      clientAddress: "192.0.2.7",
    });
    expect(clients).toEqual(["192.0.2.7"]);
  });

  it("rejects an unauthenticated token and remembers that only briefly", async () => {
    const t = setup(async () => ({ authenticated: false, error: "invalid bearer token" }));
    expect(await t.authenticator.authenticate({ kind: "bearer", token: "garbage" }, route, request)).toEqual({
      kind: "rejected",
      reason: "token not authenticated",
    });
    await t.authenticator.authenticate({ kind: "bearer", token: "garbage" }, route, request);
    expect(t.calls).toHaveLength(1);
    t.advance(10_001);
    await t.authenticator.authenticate({ kind: "bearer", token: "garbage" }, route, request);
    expect(t.calls).toHaveLength(2);
  });

  it("asks for the route's audiences, else the configured ones, and rejects an answer for none of them", async () => {
    const t = setup(async () => ({ authenticated: true, user: consumer, audiences: ["other"] }), ["rbac-gate"]);
    expect(await t.authenticator.authenticate({ kind: "bearer", token: "x" }, route, request)).toEqual({
      kind: "rejected",
      reason: "token audience not accepted",
    });
    await t.authenticator.authenticate({ kind: "bearer", token: "x" }, { ...route, audiences: ["narrow"] }, request);
    expect(t.calls.map((c) => c.audiences)).toEqual([["rbac-gate"], ["narrow"]]);
  });

  it("coalesces 200 concurrent first requests with one token into one TokenReview", async () => {
    const t = setup(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { authenticated: true, user: consumer };
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => t.authenticator.authenticate({ kind: "bearer", token: "new" }, route, request)),
    );
    expect(results.every((r) => r.kind === "authenticated")).toBe(true);
    expect(t.calls).toHaveLength(1);
  });

  it("throws when the apiserver fails, and caches nothing", async () => {
    let fail = true;
    const t = setup(async () => {
      if (fail) throw new Error("connect ECONNREFUSED");
      return { authenticated: true, user: consumer };
    });
    await expect(t.authenticator.authenticate({ kind: "bearer", token: "t" }, route, request)).rejects.toThrow(
      "ECONNREFUSED",
    );
    fail = false;
    expect((await t.authenticator.authenticate({ kind: "bearer", token: "t" }, route, request)).kind).toBe(
      "authenticated",
    );
  });
});

describe("jwtExpiry", () => {
  it("reads exp in milliseconds and ignores anything that is not a JWT with a numeric exp", () => {
    expect(jwtExpiry(jwt({ exp: 1700000000 }))).toBe(1_700_000_000_000);
    expect(jwtExpiry(jwt({ exp: "soon" }))).toBeUndefined();
    expect(jwtExpiry("opaque-token")).toBeUndefined();
    expect(jwtExpiry("a.%%%.c")).toBeUndefined();
  });
});
