/**
 * An identity that needs the apiserver's confirmation (a locally verified ServiceAccount token): the gate runs the
 * confirmation alongside the authorization and allows only when both agree.
 */
import { describe, expect, it } from "vitest";
import type { AuthenticationResult, Authenticator } from "../../src/authn/authenticator.js";
import type { Authorizer } from "../../src/authz/authorizer.js";
import { createGate } from "../../src/decision/gate.js";
import { ingressNginx } from "../../src/request/dialects/ingress-nginx.js";
import { bearerRoute } from "../support/routes.js";

const USER = { username: "system:serviceaccount:a:b", groups: ["system:authenticated"] };

function gateWith(confirm: () => Promise<AuthenticationResult>, authorizer: Authorizer) {
  const bearer: Authenticator = {
    kind: "bearer",
    authenticate: async () => ({ kind: "authenticated", user: USER, cache: "miss", confirm }),
  };
  const gate = createGate({
    dialect: ingressNginx,
    resolveRoute: () => bearerRoute,
    authenticators: [bearer],
    authorizer,
  });
  return gate({
    header: (name) =>
      name === "x-original-url" ? `http://${bearerRoute.host}/` : name === "x-original-method" ? "GET" : undefined,
    authorization: ["Bearer a.b.c"],
    line: { method: "GET", target: `/auth?host=${bearerRoute.host}` },
  });
}

/** Resolves after the other side has started: proves the two run together, not one after the other. */
function barrier() {
  let arrived = 0;
  let release = () => {};
  const both = new Promise<void>((r) => {
    release = r;
  });
  return async () => {
    arrived += 1;
    if (arrived === 2) release();
    await both;
  };
}

describe("a decision that waits for the apiserver's confirmation", () => {
  it("asks the authorizer while the confirmation is in flight, and allows when both agree", async () => {
    const meet = barrier();
    const { decision, authentication } = await gateWith(
      async () => {
        await meet();
        return { kind: "authenticated", user: USER, cache: "hit" };
      },
      {
        authorize: async () => {
          await meet();
          return { kind: "allow" };
        },
      },
    );
    expect(decision).toEqual({ kind: "allow", user: USER });
    expect(authentication).toEqual({ cache: "hit" });
  });

  it("answers 401 with invalid_token when the apiserver refuses the token, even though authorization allowed", async () => {
    const { decision } = await gateWith(async () => ({ kind: "rejected", reason: "token not authenticated" }), {
      authorize: async () => ({ kind: "allow" }),
    });
    expect(decision).toMatchObject({
      kind: "unauthenticated",
      code: "bad_credentials",
      reason: "token not authenticated",
      challenge: { invalidToken: true },
    });
  });

  it("answers 500 when the confirmation cannot be had", async () => {
    const { decision } = await gateWith(
      async () => {
        throw new Error("apiserver unreachable");
      },
      { authorize: async () => ({ kind: "allow" }) },
    );
    expect(decision).toMatchObject({ kind: "error", code: "fault" });
  });
});
