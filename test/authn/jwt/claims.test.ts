import { describe, expect, it } from "vitest";
import type { JwtAuthenticatorConfig } from "../../../src/authn/jwt/authentication-config.js";
import { checkTimes, mapClaims, unverifiedIssuer } from "../../../src/authn/jwt/claims.js";

const base: JwtAuthenticatorConfig = {
  issuer: { url: "https://idp.example.test", audiences: ["rbac-gate"] },
  claimMappings: { username: { claim: "sub", prefix: "oidc:" }, groups: { claim: "groups", prefix: "oidc:" } },
  claimValidationRules: [],
};
const withMappings = (
  claimMappings: Partial<JwtAuthenticatorConfig["claimMappings"]>,
  rules = base.claimValidationRules,
) => ({
  ...base,
  claimMappings: { ...base.claimMappings, ...claimMappings },
  claimValidationRules: rules,
});

describe("As a platform admin, tokens of my issuer become users as the apiserver maps them", () => {
  it.each([
    [
      "a list of groups, each prefixed",
      { sub: "alice", groups: ["dev", "ops"] },
      ["oidc:dev", "oidc:ops", "system:authenticated"],
    ],
    ["a single group as a string", { sub: "alice", groups: "dev" }, ["oidc:dev", "system:authenticated"]],
    ["no groups claim: only system:authenticated", { sub: "alice" }, ["system:authenticated"]],
  ])("maps %s", (_name, claims, groups) => {
    expect(mapClaims(base, claims)).toEqual({ ok: true, value: { username: "oidc:alice", groups } });
  });

  it("maps uid from its claim and refuses a token without it", () => {
    const config = withMappings({ uid: { claim: "oid" } });
    expect(mapClaims(config, { sub: "alice", oid: "42" })).toEqual({
      ok: true,
      value: { username: "oidc:alice", uid: "42", groups: ["system:authenticated"] },
    });
    expect(mapClaims(config, { sub: "alice" })).toEqual({ ok: false, error: "uid claim oid is missing" });
  });

  it.each([
    ["a missing username claim", { groups: [] }, "username claim sub is missing"],
    ["an empty username", { sub: "" }, "username claim sub is not a non-empty string"],
    ["a numeric username", { sub: 7 }, "username claim sub is not a non-empty string"],
    [
      "groups that are not strings",
      { sub: "a", groups: [1] },
      "groups claim groups is not a string or a list of strings",
    ],
  ])("refuses %s", (_name, claims, error) => {
    expect(mapClaims(base, claims)).toEqual({ ok: false, error });
  });

  it("refuses an email username whose email_verified claim is present and not true, as the apiserver does", () => {
    const config = withMappings({ username: { claim: "email", prefix: "" } });
    expect(mapClaims(config, { email: "a@example.test", email_verified: false })).toEqual({
      ok: false,
      error: "email is not verified",
    });
    expect(mapClaims(config, { email: "a@example.test", email_verified: "true" }).ok).toBe(false);
    expect(mapClaims(config, { email: "a@example.test", email_verified: true }).ok).toBe(true);
    expect(mapClaims(config, { email: "a@example.test" }).ok).toBe(true);
  });

  it("requires each claimValidationRules claim to be a string with the required value", () => {
    const config = withMappings({}, [{ claim: "hd", requiredValue: "example.test" }]);
    expect(mapClaims(config, { sub: "a", hd: "example.test" }).ok).toBe(true);
    expect(mapClaims(config, { sub: "a", hd: "other.test" })).toEqual({
      ok: false,
      error: "required claim hd does not have the required value",
    });
    expect(mapClaims(config, { sub: "a" })).toEqual({ ok: false, error: "required claim hd is missing" });
    expect(mapClaims(config, { sub: "a", hd: ["example.test"] })).toEqual({
      ok: false,
      error: "required claim hd is not a string",
    });
  });
});

describe("token lifetime", () => {
  const now = 1_700_000_000_000;
  const s = now / 1000;
  it("returns the expiry of a token that has not expired", () => {
    expect(checkTimes({ exp: s + 60 }, now)).toEqual({ ok: true, value: now + 60_000 });
  });
  it("refuses an expired token without leeway, and a token without exp", () => {
    expect(checkTimes({ exp: s }, now)).toEqual({ ok: false, error: "token has expired" });
    expect(checkTimes({}, now)).toEqual({ ok: false, error: 'token has no "exp" claim' });
  });
  it("allows nbf up to 5 minutes ahead of the clock, as go-oidc does, and no more", () => {
    expect(checkTimes({ exp: s + 900, nbf: s + 299 }, now).ok).toBe(true);
    expect(checkTimes({ exp: s + 900, nbf: s + 301 }, now)).toEqual({ ok: false, error: "token is not valid yet" });
  });
});

describe("picking the issuer", () => {
  const jwt = (payload: unknown) => `e30.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
  it("reads iss without verifying anything, and nothing from what is not a JWT", () => {
    expect(unverifiedIssuer(jwt({ iss: "https://idp.example.test" }))).toBe("https://idp.example.test");
    expect(unverifiedIssuer(jwt({ iss: 1 }))).toBeUndefined();
    expect(unverifiedIssuer(jwt(null))).toBeUndefined();
    expect(unverifiedIssuer("opaque-token")).toBeUndefined();
    expect(unverifiedIssuer("a.%%%.c")).toBeUndefined();
  });
});
