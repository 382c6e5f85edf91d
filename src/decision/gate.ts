/**
 * The decision pipeline: read the original request → find its route → authenticate → authorize.
 * Depends only on interfaces; every outcome is a Decision value, and every fault becomes an "error" decision
 * (500, fail closed) with the cause kept for the log.
 */
import { type AuthenticationResult, type Authenticator, NO_OPINION } from "../authn/authenticator.js";
import type { AuthorizationTrace, Authorizer } from "../authz/authorizer.js";
import type { LoadSource } from "../cache/bounded-cache.js";
import type { CertificateReader } from "../request/client-certificate.js";
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
  /** Set when the answer came from the allows remembered for identical requests (http/repeated-allows.ts). */
  readonly answeredBy?: "allowCache";
}

export interface GateDeps {
  readonly dialect: Dialect;
  /** The route the proxy serves the request by; `ambiguous` when the proxy's readings of the path disagree. */
  readonly resolveRoute: (request: OriginalRequest) => Route | { readonly ambiguous: string } | undefined;
  /** Every authenticator there is; a route asks those of the kinds it lists, in its order. */
  readonly authenticators: readonly Authenticator[];
  readonly authorizer: Authorizer;
  /** The dialect's client-certificate header, read only for routes that list "client-certificate". */
  readonly clientCertificate?: CertificateReader;
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
    if (route !== undefined && "ambiguous" in route) {
      return { request, decision: { kind: "forbidden", code: "ambiguous_path", reason: route.ambiguous } };
    }
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
  const offered = offeredCredentials(deps, input, route);
  const challenge = (invalidToken = false): Challenge => ({
    realm: route.realm,
    schemes: route.authenticators,
    invalidToken: invalidToken && route.authenticators.some((kind) => authScheme(kind) === "Bearer"),
  });
  const malformed = offered.find((c) => c.kind === "malformed");
  if (malformed?.kind === "malformed") {
    return { kind: "unauthenticated", code: "malformed_credentials", reason: malformed.reason, challenge: challenge() };
  }
  if (offered.length === 0) {
    return { kind: "unauthenticated", code: "no_credentials", reason: "no credentials", challenge: challenge() };
  }
  const { result: authn, credentials } = await authenticate(deps.authenticators, offered, request, route);
  if (authn.kind === "no-opinion") {
    return {
      kind: "unauthenticated",
      code: "credentials_not_accepted",
      reason: `${offered.map((c) => c.kind).join(" and ")} credentials are not accepted here`,
      // A bearer token no authenticator of a Bearer route reads (an "oidc" route, a token of another issuer).
      challenge: challenge(offered.some((c) => c.kind === "bearer")),
    };
  }
  if (authn.kind === "rejected") {
    return {
      kind: "unauthenticated",
      code: authn.code ?? "bad_credentials",
      reason: authn.reason,
      challenge: challenge(credentials?.kind === "bearer"),
    };
  }
  // A confirmation runs alongside the authorization: the slower of the two, not their sum, sets the cold latency.
  const [authz, confirmed] = await Promise.all([
    deps.authorizer.authorize(authn.user, request, route),
    authn.confirm?.(),
  ]);
  const cache = confirmed?.kind === "authenticated" ? (confirmed.cache ?? authn.cache) : authn.cache;
  if (cache) trace.authentication = { cache };
  if (authz.trace) trace.authorization = authz.trace;
  if (confirmed && confirmed.kind !== "authenticated") {
    return {
      kind: "unauthenticated",
      code: confirmed.kind === "rejected" ? (confirmed.code ?? "bad_credentials") : "bad_credentials",
      reason: confirmed.kind === "rejected" ? confirmed.reason : "token not confirmed",
      challenge: challenge(credentials?.kind === "bearer"),
    };
  }
  if (authz.kind === "deny") return { kind: "forbidden", code: "denied", reason: authz.reason, user: authn.user };
  return { kind: "allow", user: authn.user };
}

/**
 * What the request offers: the Authorization header's credentials and, for a route that lists client certificates,
 * the certificate the proxy passed. "none" is left out; a client may present a certificate and a token together.
 */
function offeredCredentials(deps: GateDeps, input: DecisionInput, route: Route): Credentials[] {
  const offered = [parseAuthorization(input.authorization)];
  if (route.authenticators.includes("client-certificate") && deps.clientCertificate) {
    offered.unshift(deps.clientCertificate(input.header));
  }
  return offered.filter((c) => c.kind !== "none");
}

/**
 * The first answer that has an opinion, asking the route's authenticators in the route's order, each about every
 * credential offered.
 */
async function authenticate(
  authenticators: readonly Authenticator[],
  offered: readonly Credentials[],
  request: OriginalRequest,
  route: Route,
): Promise<{ result: AuthenticationResult; credentials?: Credentials }> {
  for (const kind of route.authenticators) {
    for (const authenticator of authenticators) {
      if (authenticator.kind !== kind) continue;
      for (const credentials of offered) {
        const result = await authenticator.authenticate(credentials, route, request);
        if (result.kind !== "no-opinion") return { result, credentials };
      }
    }
  }
  return { result: NO_OPINION };
}
