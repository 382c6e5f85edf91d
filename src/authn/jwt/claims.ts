/**
 * From a verified token's claims to a UserInfo, as kube-apiserver's JWT authenticator does with claim-based
 * mappings. Pure: the claims are already signature-checked; the clock is an argument.
 *
 * The apiserver's rules, kept here:
 * - "exp" is required and checked without leeway; "nbf" with 5 minutes of leeway (go-oidc's, which the apiserver
 *   uses). The signature check before this one allows the same 5 minutes on "exp" too, so this is the strict one.
 * - username: the claim must be a non-empty string; the prefix is prepended. With the claim "email", a present
 *   "email_verified" claim must be true.
 * - groups: a string or a list of strings, each prefixed; a missing claim means no groups.
 * - uid: the claim must be a string.
 * - claimValidationRules: the claim must be a string equal to requiredValue.
 * - every authenticated user is in system:authenticated (the apiserver's AuthenticatedGroupAdder), which the
 *   SubjectAccessReview then sees as a TokenReview's user would.
 */
import { fail, ok, type Result } from "../../vocabulary/result.js";
import type { UserInfo } from "../../vocabulary/types.js";
import type { JwtAuthenticatorConfig } from "./authentication-config.js";

const AUTHENTICATED_GROUP = "system:authenticated";

export type Claims = Readonly<Record<string, unknown>>;

/** go-oidc's allowance for a token issued by a clock slightly ahead. */
export const NOT_BEFORE_LEEWAY_MS = 5 * 60_000;

/** The token's expiry in epoch milliseconds, or a reason when it has expired, has none or is not yet valid. */
export function checkTimes(claims: Claims, nowMs: number): Result<number> {
  const { exp, nbf } = claims;
  if (typeof exp !== "number" || !Number.isFinite(exp)) return fail('token has no "exp" claim');
  if (exp * 1000 <= nowMs) return fail("token has expired");
  if (nbf !== undefined) {
    if (typeof nbf !== "number" || !Number.isFinite(nbf)) return fail('token has a malformed "nbf" claim');
    if (nbf * 1000 > nowMs + NOT_BEFORE_LEEWAY_MS) return fail("token is not valid yet");
  }
  return ok(exp * 1000);
}

export function mapClaims(config: JwtAuthenticatorConfig, claims: Claims): Result<UserInfo> {
  for (const rule of config.claimValidationRules) {
    const value = claims[rule.claim];
    if (value === undefined) return fail(`required claim ${rule.claim} is missing`);
    if (typeof value !== "string") return fail(`required claim ${rule.claim} is not a string`);
    if (value !== rule.requiredValue) return fail(`required claim ${rule.claim} does not have the required value`);
  }
  const { username: usernameMapping, groups: groupsMapping, uid: uidMapping } = config.claimMappings;
  const name = claims[usernameMapping.claim];
  if (typeof name !== "string" || name === "") {
    return fail(
      `username claim ${usernameMapping.claim} is ${name === undefined ? "missing" : "not a non-empty string"}`,
    );
  }
  if (usernameMapping.claim === "email" && claims.email_verified !== undefined && claims.email_verified !== true) {
    return fail("email is not verified");
  }
  let groups: string[] = [];
  if (groupsMapping) {
    const value = claims[groupsMapping.claim];
    if (typeof value === "string") groups = [value];
    else if (Array.isArray(value) && value.every((g) => typeof g === "string")) groups = value as string[];
    else if (value !== undefined)
      return fail(`groups claim ${groupsMapping.claim} is not a string or a list of strings`);
    groups = groups.map((g) => groupsMapping.prefix + g);
  }
  if (!groups.includes(AUTHENTICATED_GROUP)) groups.push(AUTHENTICATED_GROUP);
  let uid: string | undefined;
  if (uidMapping) {
    const value = claims[uidMapping.claim];
    if (typeof value !== "string")
      return fail(`uid claim ${uidMapping.claim} is ${value === undefined ? "missing" : "not a string"}`);
    uid = value;
  }
  return ok({ username: usernameMapping.prefix + name, groups, ...(uid === undefined ? {} : { uid }) });
}

/**
 * The issuer a token claims, read without verifying anything: only to pick which issuer's keys verify it.
 * Undefined for anything that is not a JWS compact serialization with a string "iss". Never throws.
 */
export function unverifiedIssuer(token: string): string | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as unknown;
    if (typeof claims !== "object" || claims === null) return undefined;
    const iss = (claims as { iss?: unknown }).iss;
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}
