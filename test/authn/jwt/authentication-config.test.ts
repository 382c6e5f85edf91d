import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readAuthenticationConfig } from "../../../src/authn/jwt/authentication-config.js";

const config = (jwt: unknown[], extra: object = {}) => ({
  apiVersion: "apiserver.config.k8s.io/v1",
  kind: "AuthenticationConfiguration",
  jwt,
  ...extra,
});
const issuer = { url: "https://idp.example.test", audiences: ["rbac-gate"] };
const username = { claim: "sub", prefix: "oidc:" };

describe("As a platform admin sharing the apiserver's AuthenticationConfiguration with rbac-gate", () => {
  it("reads issuer, audiences, claim mappings and claim validation rules", () => {
    const read = readAuthenticationConfig(
      config([
        {
          issuer: {
            ...issuer,
            audiences: ["a", "b"],
            audienceMatchPolicy: "MatchAny",
            discoveryURL: "https://d.test/x",
          },
          claimMappings: { username, groups: { claim: "groups", prefix: "" }, uid: { claim: "sub" } },
          claimValidationRules: [{ claim: "hd", requiredValue: "example.test" }],
        },
      ]),
    );
    expect(read).toEqual({
      ok: true,
      value: [
        {
          issuer: { url: "https://idp.example.test", discoveryURL: "https://d.test/x", audiences: ["a", "b"] },
          claimMappings: { username, groups: { claim: "groups", prefix: "" }, uid: { claim: "sub" } },
          claimValidationRules: [{ claim: "hd", requiredValue: "example.test" }],
        },
      ],
    });
  });

  it("ignores the anonymous section, which only concerns the apiserver's own requests", () => {
    const read = readAuthenticationConfig(
      config([{ issuer, claimMappings: { username } }], { anonymous: { enabled: false } }),
    );
    expect(read.ok).toBe(true);
  });

  it("refuses every CEL expression at start, naming the field", () => {
    const read = readAuthenticationConfig(
      config([
        {
          issuer,
          claimMappings: {
            username: { expression: "claims.sub" },
            groups: { expression: "claims.groups" },
            uid: { expression: "claims.sub" },
            extra: [{ key: "example.test/x", valueExpression: "claims.x" }],
          },
          claimValidationRules: [{ expression: "claims.x == 'y'", message: "no" }],
          userValidationRules: [{ expression: "!user.username.startsWith('system:')" }],
        },
      ]),
    );
    expect(read).toEqual({
      ok: false,
      error: [
        "jwt[0].userValidationRules is set: it is a CEL expression, which rbac-gate does not evaluate",
        "jwt[0].claimMappings.extra is set: its valueExpression is a CEL expression, which rbac-gate does not evaluate",
        "jwt[0].claimMappings.username.expression is set: it is a CEL expression, which rbac-gate does not evaluate; use claim and prefix",
        "jwt[0].claimMappings.groups.expression is set: it is a CEL expression, which rbac-gate does not evaluate; use claim and prefix",
        "jwt[0].claimMappings.uid.expression is set: it is a CEL expression, which rbac-gate does not evaluate; use claim",
        "jwt[0].claimValidationRules[0].expression is set: it is a CEL expression, which rbac-gate does not evaluate; use claim and requiredValue",
      ],
    });
  });

  it("lists every problem of the issuers at once, as the apiserver's rules have them", () => {
    const read = readAuthenticationConfig(
      config([
        {
          issuer: { url: "http://idp.example.test", audiences: ["a", "b"], certificateAuthority: "not a PEM" },
          claimMappings: { username: { claim: "email" }, groups: { claim: "groups" } },
        },
        { issuer: { url: "https://idp.example.test?x=1", audiences: [] }, claimMappings: {} },
        { issuer: { url: "https://dup.test", audiences: ["a"] }, claimMappings: { username } },
        {
          issuer: { url: "https://dup.test", audiences: ["a"], egressSelectorType: "cluster" },
          claimMappings: { username },
        },
      ]),
    );
    expect(read).toEqual({
      ok: false,
      error: [
        'jwt[0].issuer.url has "http://idp.example.test": it must be an https URL without user, query or fragment',
        "jwt[0].issuer.audienceMatchPolicy has undefined: it must be MatchAny with several audiences",
        'jwt[0].issuer.certificateAuthority has "(PEM)": it must be PEM-encoded certificates',
        'jwt[0].claimMappings.username.prefix has undefined: it must be set when claim is set ("" for none)',
        'jwt[0].claimMappings.groups.prefix has undefined: it must be set when claim is set ("" for none)',
        'jwt[1].issuer.url has "https://idp.example.test?x=1": it must be an https URL without user, query or fragment',
        "jwt[1].issuer.audiences has []: it must list one or more distinct, non-empty audiences",
        "jwt[1].claimMappings.username is missing: it must name a claim and a prefix",
        "jwt[3].issuer.egressSelectorType is unknown: known fields are url, discoveryURL, audiences, audienceMatchPolicy, certificateAuthority",
        'jwt[3].issuer.url has "https://dup.test": it must be unique',
      ],
    });
  });

  it("refuses a claim validation rule's message without an expression, and a claim required twice", () => {
    const rules = [
      { claim: "hd", requiredValue: "a", message: "wrong domain" },
      { claim: "tenant", requiredValue: "a" },
      { claim: "tenant", requiredValue: "b" },
    ];
    expect(
      readAuthenticationConfig(config([{ issuer, claimMappings: { username }, claimValidationRules: rules }])),
    ).toEqual({
      ok: false,
      error: [
        'jwt[0].claimValidationRules[0].message has "wrong domain": it goes only with an expression',
        'jwt[0].claimValidationRules[2].claim has "tenant": it must be unique',
      ],
    });
  });

  it("refuses a file that is not an AuthenticationConfiguration with JWT authenticators", () => {
    expect(readAuthenticationConfig({ apiVersion: "v1", kind: "ConfigMap" })).toEqual({
      ok: false,
      error: [
        'kind has "ConfigMap": it must be AuthenticationConfiguration',
        'apiVersion has "v1": it must be apiserver.config.k8s.io/v1 or apiserver.config.k8s.io/v1beta1',
        "jwt is missing: rbac-gate needs at least one JWT authenticator",
      ],
    });
  });

  it("accepts a certificateAuthority of real PEM certificates only", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const fakeBlock = `-----BEGIN CERTIFICATE-----\n${privateKey.export({ type: "pkcs8", format: "der" }).toString("base64")}\n-----END CERTIFICATE-----\n`;
    const read = readAuthenticationConfig(
      config([{ issuer: { ...issuer, certificateAuthority: fakeBlock }, claimMappings: { username } }]),
    );
    expect(read.ok).toBe(false);
  });
});
