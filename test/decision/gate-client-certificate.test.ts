/**
 * Client certificates in the decision pipeline, with fakes as plain functions: the dialect's certificate header is
 * read only for routes that list "client-certificate", and the route's order decides between a certificate and a
 * token presented together.
 */
import { describe, expect, it } from "vitest";
import type { Authenticator } from "../../src/authn/authenticator.js";
import { answer } from "../../src/decision/decision.js";
import { createGate, type DecisionInput } from "../../src/decision/gate.js";
import { ingressNginx, ingressNginxClientCertificate } from "../../src/request/dialects/ingress-nginx.js";
import type { Route } from "../../src/routing/routes.js";
import type { AuthenticatorKind } from "../../src/vocabulary/types.js";

const PEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const route = (authenticators: AuthenticatorKind[]): Route => ({
  source: "routes[0]",
  host: "app.example.test",
  path: "/",
  pathType: "Prefix",
  authenticators,
  realm: "r",
  authorization: { kind: "authenticated" },
});

/** Authenticates any certificate as "cert-user", any token as "token-user". */
const fakeCertificates: Authenticator = {
  kind: "client-certificate",
  authenticate: async (c) =>
    c.kind === "client-certificate"
      ? { kind: "authenticated", user: { username: "cert-user", groups: [] } }
      : { kind: "no-opinion" },
};
const fakeBearer: Authenticator = {
  kind: "bearer",
  authenticate: async (c) =>
    c.kind === "bearer"
      ? { kind: "authenticated", user: { username: "token-user", groups: [] } }
      : { kind: "no-opinion" },
};

const gate = (authenticators: AuthenticatorKind[]) =>
  createGate({
    dialect: ingressNginx,
    clientCertificate: ingressNginxClientCertificate,
    resolveRoute: () => route(authenticators),
    authenticators: [fakeCertificates, fakeBearer],
    authorizer: { authorize: async () => ({ kind: "allow" }) },
  });

const input = (certificate: string | undefined, authorization: string[] = []): DecisionInput => {
  const headers: Record<string, string | undefined> = {
    "x-original-url": "http://app.example.test/",
    "x-original-method": "GET",
    "ssl-client-cert": certificate,
  };
  return {
    header: (name) => headers[name],
    authorization,
    line: { method: "GET", target: "/auth?host=app.example.test" },
  };
};
const userOf = async (kinds: AuthenticatorKind[], i: DecisionInput) => {
  const { decision } = await gate(kinds)(i);
  return decision.kind === "allow" ? decision.user.username : decision.kind;
};

describe("As an app team, I choose client certificates per route with rbac-gate.io/authenticators", () => {
  it("authenticates the certificate nginx passed on a route that lists client-certificate", async () => {
    expect(await userOf(["client-certificate"], input(encodeURIComponent(PEM)))).toBe("cert-user");
  });

  it("ignores the certificate header on a route that does not list client-certificate", async () => {
    expect(await userOf(["bearer"], input(encodeURIComponent(PEM)))).toBe("unauthenticated");
  });

  it("asks the route's kinds in its order when a certificate and a token come together", async () => {
    const both = input(encodeURIComponent(PEM), ["Bearer abc"]);
    expect(await userOf(["client-certificate", "bearer"], both)).toBe("cert-user");
    expect(await userOf(["bearer", "client-certificate"], both)).toBe("token-user");
  });

  it("refuses a malformed certificate header even when a token is valid", async () => {
    const { decision } = await gate(["client-certificate", "bearer"])(input("%%%", ["Bearer abc"]));
    expect(decision).toMatchObject({ kind: "unauthenticated", code: "malformed_credentials" });
  });

  it("answers 401 without a WWW-Authenticate challenge when the route accepts only certificates", async () => {
    const { decision } = await gate(["client-certificate"])(input(undefined));
    const reply = answer(decision, { user: [], groups: [] });
    expect(reply.status).toBe(401);
    expect(reply.headers).toEqual([]);
  });
});
