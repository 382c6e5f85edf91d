import { describe, expect, it } from "vitest";
import type { JwtAuthenticatorConfig } from "../../../src/authn/jwt/authentication-config.js";
import type { Claims } from "../../../src/authn/jwt/claims.js";
import { createOidcAuthenticator, type IssuerVerifier, type OidcOutcome } from "../../../src/authn/jwt/oidc.js";
import { BoundedCache } from "../../../src/cache/bounded-cache.js";
import { createSecretKeyer } from "../../../src/cache/secret-key.js";
import { fail, ok, type Result } from "../../../src/vocabulary/result.js";
import { bearerRoute } from "../../support/routes.js";

const ISSUER = "https://idp.example.test";
const config: JwtAuthenticatorConfig = {
  issuer: { url: ISSUER, audiences: ["rbac-gate"] },
  claimMappings: { username: { claim: "sub", prefix: "oidc:" } },
  claimValidationRules: [],
};
const request = { method: "GET", host: "a.example.com", path: "/" };
const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

function setup(verify: (token: string) => Promise<Result<Claims>>) {
  let now = 1_700_000_000_000;
  const calls: string[] = [];
  const issuer: IssuerVerifier = {
    config,
    verify: async (t) => {
      calls.push(t);
      return verify(t);
    },
  };
  const authenticator = createOidcAuthenticator({
    issuers: [issuer],
    cache: new BoundedCache<OidcOutcome>({ maxEntries: 100, ttlMs: 120_000, now: () => now }),
    key: createSecretKeyer(),
    ttlMs: 120_000,
    failureTtlMs: 10_000,
    now: () => now,
  });
  const ask = (t: string) => authenticator.authenticate({ kind: "bearer", token: t }, bearerRoute, request);
  return { authenticator, ask, calls, advance: (ms: number) => (now += ms), seconds: () => now / 1000 };
}

/** A verifier that trusts the payload as written: the signature check is issuer-keys.ts's, tested end to end. */
const decoding = async (t: string): Promise<Result<Claims>> =>
  ok(JSON.parse(Buffer.from(t.split(".")[1] as string, "base64url").toString()) as Claims);

describe("OIDC authenticator", () => {
  it("authenticates a token of a configured issuer and caches the user until the token expires", async () => {
    const t = setup(decoding);
    const jwt = token({ iss: ISSUER, sub: "alice", exp: t.seconds() + 60 });
    const user = { username: "oidc:alice", groups: ["system:authenticated"] };
    expect(await t.ask(jwt)).toEqual({ kind: "authenticated", user, cache: "miss" });
    expect(await t.ask(jwt)).toEqual({ kind: "authenticated", user, cache: "hit" });
    expect(t.calls).toHaveLength(1);
    t.advance(60_000);
    expect(await t.ask(jwt)).toEqual({ kind: "rejected", reason: "token has expired" });
  });

  it("has no opinion on tokens of other issuers, opaque tokens and Basic credentials", async () => {
    const t = setup(decoding);
    expect(await t.ask(token({ iss: "https://other.test", sub: "a", exp: t.seconds() + 60 }))).toEqual({
      kind: "no-opinion",
    });
    expect(await t.ask("opaque")).toEqual({ kind: "no-opinion" });
    expect(
      await t.authenticator.authenticate({ kind: "basic", username: "a", password: "b" }, bearerRoute, request),
    ).toEqual({ kind: "no-opinion" });
    expect(t.calls).toHaveLength(0);
  });

  it("rejects what the issuer's verification refuses, and remembers the refusal for the failure TTL", async () => {
    const t = setup(async () => fail("token refused: signature verification failed"));
    const jwt = token({ iss: ISSUER, sub: "alice", exp: t.seconds() + 600 });
    const rejected = { kind: "rejected", reason: "token refused: signature verification failed" };
    expect(await t.ask(jwt)).toEqual(rejected);
    expect(await t.ask(jwt)).toEqual(rejected);
    expect(t.calls).toHaveLength(1);
    t.advance(10_000);
    await t.ask(jwt);
    expect(t.calls).toHaveLength(2);
  });

  it("rejects a verified token whose claims do not map to a user", async () => {
    const t = setup(decoding);
    expect(await t.ask(token({ iss: ISSUER, exp: t.seconds() + 60 }))).toEqual({
      kind: "rejected",
      reason: "username claim sub is missing",
    });
  });

  it("throws when the issuer's keys cannot be had, and does not cache the fault", async () => {
    let up = false;
    const t = setup(async (jwt) => {
      if (!up) throw new Error("jwks unreachable");
      return decoding(jwt);
    });
    const jwt = token({ iss: ISSUER, sub: "alice", exp: t.seconds() + 60 });
    await expect(t.ask(jwt)).rejects.toThrow("jwks unreachable");
    up = true;
    expect((await t.ask(jwt)).kind).toBe("authenticated");
  });
});
