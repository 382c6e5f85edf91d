/**
 * The decision pipeline: read the original request → find its route → authenticate → authorize.
 * Depends only on interfaces; every outcome is a Decision value, and every fault becomes an "error" decision
 * (500, fail closed) with the cause kept for the log.
 */
import { type AuthenticationResult, type Authenticator, NO_OPINION } from "../authn/authenticator.js";
import type { AuthorizationTrace, Authorizer } from "../authz/authorizer.js";
import type { LoadSource } from "../cache/bounded-cache.js";
import { type Credentials, parseAuthorization } from "../request/credentials.js";
import type { AuthRequestLine, Dialect } from "../request/dialects/dialect.js";
import type { Route } from "../routing/routes.js";
import type { OriginalRequest } from "../vocabulary/types.js";
import { authScheme, type Challenge, type Decision } from "./decision.js";

export interface DecisionInput {
  /** Reads a single-valued request header by lower-case name. */
  readonly header: (name: string) => string | undefined;
  /** Every Authorization header line, in order. */
  readonly authorization: readonly string[];
  /** The auth request's own method and request-target. */
  readonly line?: AuthRequestLine;
}

export interface DecisionRecord {
  readonly decision: Decision;
  readonly request?: OriginalRequest;
  readonly route?: Route;
  /** Whether the identity came from the cache (bearer tokens). */
  readonly authentication?: { readonly cache?: LoadSource };
  /** The SubjectAccessReview attributes asked, and whether the answer came from the cache. */
  readonly authorization?: AuthorizationTrace;
  /** The fault behind an "error" decision. */
  readonly cause?: unknown;
}

export interface GateDeps {
  readonly dialect: Dialect;
  readonly resolveRoute: (request: OriginalRequest) => Route | undefined;
  /** Every authenticator there is; a route asks those of the kinds it lists, in its order. */
  readonly authenticators: readonly Authenticator[];
  readonly authorizer: Authorizer;
}

export type Gate = (input: DecisionInput) => Promise<DecisionRecord>;

type Trace = { authentication?: DecisionRecord["authentication"]; authorization?: AuthorizationTrace };

export function createGate(deps: GateDeps): Gate {
  return async (input) => {
    const read = deps.dialect(input.header, input.line);
    if (!read.ok) {
      const { kind, reason } = read.error;
      return {
        decision:
          kind === "misconfigured"
            ? { kind: "error", code: "proxy_misconfigured", reason }
            : { kind: "forbidden", code: "invalid_request", reason },
      };
    }
    const request = read.value;
    const route = deps.resolveRoute(request);
    if (route === undefined) {
      return { request, decision: { kind: "forbidden", code: "no_route", reason: "no route for this host and path" } };
    }
    if (route.misconfiguration !== undefined) {
      return {
        request,
        route,
        decision: { kind: "forbidden", code: "misconfigured_route", reason: "route is misconfigured" },
      };
    }
    // The proxy routed the path as written; an app that reads ";" as a parameter separator may serve another one.
    if (!route.allowPathParameters && request.path.includes(";")) {
      return {
        request,
        route,
        decision: { kind: "forbidden", code: "path_parameters", reason: "path has ';' parameters" },
      };
    }
    const trace: Trace = {};
    try {
      const decision = await decideForRoute(deps, input, request, route, trace);
      return { request, route, ...trace, decision };
    } catch (cause) {
      return {
        request,
        route,
        cause,
        decision: { kind: "error", code: "fault", reason: "authentication or authorization failed" },
      };
    }
  };
}

async function decideForRoute(
  deps: GateDeps,
  input: DecisionInput,
  request: OriginalRequest,
  route: Route,
  trace: Trace,
): Promise<Decision> {
  const credentials = parseAuthorization(input.authorization);
  const challenge = (invalidToken = false): Challenge => ({
    realm: route.realm,
    schemes: route.authenticators,
    invalidToken: invalidToken && route.authenticators.some((kind) => authScheme(kind) === "Bearer"),
  });
  if (credentials.kind === "none") {
    return { kind: "unauthenticated", code: "no_credentials", reason: "no credentials", challenge: challenge() };
  }
  if (credentials.kind === "malformed") {
    return {
      kind: "unauthenticated",
      code: "malformed_credentials",
      reason: credentials.reason,
      challenge: challenge(),
    };
  }
  const authn = await authenticate(deps.authenticators, credentials, request, route);
  if (authn.kind === "no-opinion") {
    return {
      kind: "unauthenticated",
      code: "credentials_not_accepted",
      reason: `${credentials.kind} credentials are not accepted here`,
      // A bearer token no authenticator of a Bearer route reads (an "oidc" route, a token of another issuer).
      challenge: challenge(credentials.kind === "bearer"),
    };
  }
  if (authn.kind === "rejected") {
    return {
      kind: "unauthenticated",
      code: authn.code ?? "bad_credentials",
      reason: authn.reason,
      challenge: challenge(credentials.kind === "bearer"),
    };
  }
  if (authn.cache) trace.authentication = { cache: authn.cache };
  const authz = await deps.authorizer.authorize(authn.user, request, route);
  if (authz.trace) trace.authorization = authz.trace;
  if (authz.kind === "deny") return { kind: "forbidden", code: "denied", reason: authz.reason, user: authn.user };
  return { kind: "allow", user: authn.user };
}

/** The first answer of the route's authenticators that has an opinion on these credentials, in the route's order. */
async function authenticate(
  authenticators: readonly Authenticator[],
  credentials: Credentials,
  request: OriginalRequest,
  route: Route,
): Promise<AuthenticationResult> {
  for (const kind of route.authenticators) {
    for (const authenticator of authenticators) {
      if (authenticator.kind !== kind) continue;
      const result = await authenticator.authenticate(credentials, route, request);
      if (result.kind !== "no-opinion") return result;
    }
  }
  return NO_OPINION;
}
