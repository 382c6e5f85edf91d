/**
 * The decision pipeline, one row per DecisionCode: each row is the smallest request that ends in that code, with
 * fakes as plain functions (no I/O). A new code without a row fails the completeness test below.
 */
import { describe, expect, it } from "vitest";
import type { AuthenticationResult, Authenticator } from "../../src/authn/authenticator.js";
import type { Authorizer } from "../../src/authz/authorizer.js";
import type { DecisionCode } from "../../src/decision/decision.js";
import { createGate, type DecisionInput, type GateDeps } from "../../src/decision/gate.js";
import { ingressNginx } from "../../src/request/dialects/ingress-nginx.js";
import type { Route } from "../../src/routing/routes.js";

const ROUTE: Route = {
  source: "routes[0]",
  host: "app.example.test",
  path: "/",
  pathType: "Prefix",
  authenticators: ["basic", "bearer"],
  realm: "r",
  authorization: { kind: "authenticated" },
};

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** Answers for its kind only: "alice"/"pw" is authenticated, "locked" is locked out, anything else rejected. */
const fakeBasic: Authenticator = {
  kind: "basic",
  async authenticate(credentials): Promise<AuthenticationResult> {
    if (credentials.kind !== "basic") return { kind: "no-opinion" };
    if (credentials.username === "locked") return { kind: "rejected", code: "locked_out", reason: "locked" };
    if (credentials.username === "broken") throw new Error("the hash pool is gone");
    return credentials.username === "alice" && credentials.password === "pw"
      ? { kind: "authenticated", user: { username: "alice", groups: [] } }
      : { kind: "rejected", reason: "wrong password" };
  },
};

const allowEveryone: Authorizer = { authorize: async () => ({ kind: "allow" }) };

function gateWith(overrides: Partial<GateDeps> = {}) {
  return createGate({
    dialect: ingressNginx,
    resolveRoute: ({ path }) => (path.startsWith("/none") ? undefined : ROUTE),
    authenticators: [fakeBasic],
    authorizer: allowEveryone,
    ...overrides,
  });
}

const request = (
  url: string,
  authorization: string[] = [basic("alice", "pw")],
  target = "/auth?host=app.example.test",
): DecisionInput => ({
  header: (name) => (name === "x-original-url" ? url : name === "x-original-method" ? "GET" : undefined),
  authorization,
  line: { method: "GET", target },
});

const APP = "http://app.example.test";

const ROWS: ReadonlyArray<[DecisionCode, () => Promise<{ kind: string; code?: string }>]> = [
  ["no_credentials", async () => (await gateWith()(request(`${APP}/`, []))).decision],
  ["malformed_credentials", async () => (await gateWith()(request(`${APP}/`, ["Basic !!"]))).decision],
  ["credentials_not_accepted", async () => (await gateWith()(request(`${APP}/`, ["Bearer abc"]))).decision],
  ["bad_credentials", async () => (await gateWith()(request(`${APP}/`, [basic("alice", "no")]))).decision],
  ["locked_out", async () => (await gateWith()(request(`${APP}/`, [basic("locked", "pw")]))).decision],
  ["invalid_request", async () => (await gateWith()(request(`${APP}/a%2Fb`))).decision],
  ["no_route", async () => (await gateWith()(request(`${APP}/none`))).decision],
  [
    "misconfigured_route",
    async () =>
      (await gateWith({ resolveRoute: () => ({ ...ROUTE, misconfiguration: "bad annotation" }) })(request(`${APP}/`)))
        .decision,
  ],
  [
    "ambiguous_path",
    async () =>
      (
        await gateWith({ resolveRoute: () => ({ ambiguous: "the proxy may route this path as /a or as /b" }) })(
          request(`${APP}/`),
        )
      ).decision,
  ],
  ["path_parameters", async () => (await gateWith()(request(`${APP}/x;jsessionid=1`))).decision],
  [
    "denied",
    async () =>
      (
        await gateWith({ authorizer: { authorize: async () => ({ kind: "deny", reason: "not listed" }) } })(
          request(`${APP}/`),
        )
      ).decision,
  ],
  ["proxy_misconfigured", async () => (await gateWith()(request(`${APP}/`, undefined, "/auth"))).decision],
  ["fault", async () => (await gateWith()(request(`${APP}/`, [basic("broken", "pw")]))).decision],
];

describe("the gate, one row per decision code", () => {
  it.each(ROWS)("ends in %s", async (code, run) => {
    const decision = await run();
    expect(decision.code).toBe(code);
  });

  it("has a row for every decision code", () => {
    const codes: Record<DecisionCode, true> = {
      no_credentials: true,
      malformed_credentials: true,
      credentials_not_accepted: true,
      bad_credentials: true,
      locked_out: true,
      invalid_request: true,
      no_route: true,
      ambiguous_path: true,
      misconfigured_route: true,
      path_parameters: true,
      denied: true,
      proxy_misconfigured: true,
      fault: true,
    };
    expect(ROWS.map(([code]) => code).sort()).toEqual(Object.keys(codes).sort());
  });

  it("allows alice, and asks only the authenticators of the kinds the route lists, in its order", async () => {
    const asked: string[] = [];
    const spy = (kind: "basic" | "bearer"): Authenticator => ({
      kind,
      async authenticate(credentials) {
        asked.push(kind);
        return credentials.kind === kind
          ? { kind: "authenticated", user: { username: kind, groups: [] } }
          : { kind: "no-opinion" };
      },
    });
    const gate = gateWith({
      authenticators: [spy("bearer"), spy("basic")],
      resolveRoute: () => ({ ...ROUTE, authenticators: ["basic"] }),
    });
    const record = await gate(request(`${APP}/`, ["Bearer t"]));
    expect(record.decision.kind).toBe("unauthenticated");
    expect(asked).toEqual(["basic"]);
    const allowed = await gateWith()(request(`${APP}/`));
    expect(allowed.decision).toEqual({ kind: "allow", user: { username: "alice", groups: [] } });
  });
});

describe("a Bearer route whose authenticators do not read the token", () => {
  it('answers 401 with error="invalid_token" when an oidc-only route gets a token of another issuer', async () => {
    const oidcOnly: Route = { ...ROUTE, authenticators: ["oidc"] };
    const gate = gateWith({
      resolveRoute: () => oidcOnly,
      authenticators: [{ kind: "oidc", authenticate: async () => ({ kind: "no-opinion" }) }],
    });
    const { decision } = await gate(request(`${APP}/`, ["Bearer other-issuer.token.x"]));
    expect(decision).toMatchObject({
      kind: "unauthenticated",
      code: "credentials_not_accepted",
      challenge: { schemes: ["oidc"], invalidToken: true },
    });
  });
});
