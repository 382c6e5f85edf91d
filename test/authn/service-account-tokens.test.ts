import { describe, expect, it } from "vitest";
import type { AuthenticationResult, Authenticator } from "../../src/authn/authenticator.js";
import type { Claims } from "../../src/authn/jwt/claims.js";
import type { OidcOutcome } from "../../src/authn/jwt/oidc.js";
import { createServiceAccountTokensAuthenticator, sameUser } from "../../src/authn/service-account-tokens.js";
import { BoundedCache } from "../../src/cache/bounded-cache.js";
import { createSecretKeyer } from "../../src/cache/secret-key.js";
import type { Route } from "../../src/routing/routes.js";
import { fail, ok, type Result } from "../../src/vocabulary/result.js";
import { bearerRoute } from "../support/routes.js";

const ISSUER = "https://kubernetes.default.svc.cluster.local";
const request = { method: "GET", host: "a.example.com", path: "/" };
const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;
const SA_CLAIM = { namespace: "team-a", serviceaccount: { name: "builder", uid: "sa-uid" } };
const USER = {
  username: "system:serviceaccount:team-a:builder",
  uid: "sa-uid",
  groups: ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
};

/**
 * A verifier that trusts the payload unless its "sig" claim is "forged" or its "aud" is none of the audiences (the
 * signature check itself is jose's, exercised end to end), and a TokenReview that answers as `review` says.
 */
function setup(review: (token: string) => AuthenticationResult = () => ({ kind: "authenticated", user: USER })) {
  let now = 1_700_000_000_000;
  const verified: Array<readonly string[]> = [];
  const reviewed: string[] = [];
  const tokenReview: Authenticator = {
    kind: "bearer",
    async authenticate(credentials) {
      if (credentials.kind !== "bearer") return { kind: "no-opinion" };
      reviewed.push(credentials.token);
      return review(credentials.token);
    },
  };
  const authenticator = createServiceAccountTokensAuthenticator({
    issuer: {
      issuer: ISSUER,
      async verify(t, audiences): Promise<Result<Claims>> {
        verified.push(audiences);
        const claims = JSON.parse(Buffer.from(t.split(".")[1] as string, "base64url").toString()) as Claims;
        if (claims.sig === "forged") return fail("token refused: signature verification failed");
        if (!audiences.includes(claims.aud as string)) return fail('token refused: unexpected "aud" claim value');
        return ok(claims);
      },
    },
    tokenReview,
    cache: new BoundedCache<OidcOutcome>({ maxEntries: 100, ttlMs: 120_000, now: () => now }),
    key: createSecretKeyer(),
    ttlMs: 120_000,
    failureTtlMs: 10_000,
    audiences: [],
    now: () => now,
  });
  const ask = (t: string, route: Route = bearerRoute) =>
    authenticator.authenticate({ kind: "bearer", token: t }, route, request);
  return { ask, verified, reviewed, advance: (ms: number) => (now += ms), seconds: () => now / 1000 };
}

const valid = (t: { seconds: () => number }, more: object = {}) =>
  token({ iss: ISSUER, aud: ISSUER, exp: t.seconds() + 600, "kubernetes.io": SA_CLAIM, ...more });

describe("ServiceAccount tokens verified locally, confirmed by TokenReview", () => {
  it("names the user at once and leaves the TokenReview to the confirmation the gate runs", async () => {
    const t = setup();
    const result = await t.ask(valid(t));
    expect(result).toMatchObject({ kind: "authenticated", user: USER, cache: "miss" });
    expect(t.reviewed).toHaveLength(0);
    if (result.kind !== "authenticated" || !result.confirm) throw new Error("no confirmation");
    expect(await result.confirm()).toEqual({ kind: "authenticated", user: USER });
    expect(t.reviewed).toHaveLength(1);
  });

  it("checks the apiserver's default audience, its issuer, unless the route names audiences", async () => {
    const t = setup();
    await t.ask(valid(t));
    await t.ask(valid(t, { aud: "rbac-gate" }), { ...bearerRoute, audiences: ["rbac-gate"] });
    expect(t.verified).toEqual([[ISSUER], ["rbac-gate"]]);
  });

  it.each([
    ["a forged signature", { sig: "forged" }, "token refused: signature verification failed"],
    ["another audience", { aud: "someone-else" }, 'token refused: unexpected "aud" claim value'],
    ["an expired token", { exp: 1_000 }, "token has expired"],
    ["no ServiceAccount claim", { "kubernetes.io": undefined }, 'token has no "kubernetes.io" claim'],
  ])("refuses %s without a TokenReview", async (_, more, reason) => {
    const t = setup();
    expect(await t.ask(valid(t, more))).toEqual({ kind: "rejected", reason });
    expect(t.reviewed).toHaveLength(0);
  });

  it("refuses a refused token from the cache for the failure TTL", async () => {
    const t = setup();
    const forged = valid(t, { sig: "forged" });
    await t.ask(forged);
    await t.ask(forged);
    expect(t.verified).toHaveLength(1);
    t.advance(10_000);
    await t.ask(forged);
    expect(t.verified).toHaveLength(2);
  });

  it("is not confirmed when the apiserver refuses the token (its ServiceAccount was deleted)", async () => {
    const t = setup(() => ({ kind: "rejected", reason: "token not authenticated" }));
    const result = await t.ask(valid(t));
    if (result.kind !== "authenticated" || !result.confirm) throw new Error("no confirmation");
    expect(await result.confirm()).toEqual({ kind: "rejected", reason: "token not authenticated" });
  });

  it("is not confirmed when the apiserver names another user for the token", async () => {
    const t = setup(() => ({ kind: "authenticated", user: { ...USER, uid: "recreated-uid" } }));
    const result = await t.ask(valid(t));
    if (result.kind !== "authenticated" || !result.confirm) throw new Error("no confirmation");
    expect(await result.confirm()).toEqual({
      kind: "rejected",
      reason: "the apiserver names another user for this token",
    });
  });

  it("hands legacy Secret tokens, other issuers and opaque tokens to TokenReview unchanged", async () => {
    const t = setup(() => ({ kind: "authenticated", user: { username: "legacy", groups: [] } }));
    const legacy = token({ iss: "kubernetes/serviceaccount", sub: "system:serviceaccount:a:b" });
    for (const tok of [legacy, token({ iss: "https://idp.test" }), "opaque-token"]) {
      expect(await t.ask(tok)).toEqual({ kind: "authenticated", user: { username: "legacy", groups: [] } });
    }
    expect(t.reviewed).toHaveLength(3);
    expect(t.verified).toHaveLength(0);
  });
});

describe("the same user", () => {
  it("compares username, uid and groups in any order", () => {
    expect(sameUser(USER, { ...USER, groups: [...USER.groups].reverse() })).toBe(true);
    expect(sameUser(USER, { ...USER, username: "system:serviceaccount:team-a:other" })).toBe(false);
    expect(sameUser(USER, { ...USER, groups: ["system:authenticated"] })).toBe(false);
  });
});
