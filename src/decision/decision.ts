/**
 * Decisions and how each becomes an HTTP answer. One status per meaning, as the proxies understand them:
 * 200 allow, 401 no or bad credentials (with a challenge), 403 known to be not allowed or an ambiguous request,
 * 500 a fault (fail closed). ingress-nginx turns every other status into a 500, so nothing else is ever sent.
 */

import type { AuthenticatorKind, UserInfo } from "../vocabulary/types.js";
import { encodeGroups, encodeUsername } from "./identity-headers.js";

/**
 * Why a request was not allowed, as a small fixed set (metric labels, log fields); `reason` carries the detail.
 */
export type DecisionCode =
  | "no_credentials"
  | "malformed_credentials"
  | "credentials_not_accepted"
  | "bad_credentials"
  | "locked_out"
  | "invalid_request"
  | "no_route"
  | "ambiguous_path"
  | "misconfigured_route"
  | "path_parameters"
  | "denied"
  | "proxy_misconfigured"
  | "fault";

export type Decision =
  | { readonly kind: "allow"; readonly user: UserInfo }
  | {
      readonly kind: "unauthenticated";
      readonly code: DecisionCode;
      readonly reason: string;
      readonly challenge: Challenge;
    }
  | { readonly kind: "forbidden"; readonly code: DecisionCode; readonly reason: string; readonly user?: UserInfo }
  | { readonly kind: "error"; readonly code: DecisionCode; readonly reason: string };

/** What a 401 offers the client: one challenge per accepted scheme, in the route's order. */
export interface Challenge {
  readonly realm: string;
  readonly schemes: readonly AuthenticatorKind[];
  /** A bearer token was presented and rejected: RFC 6750 error="invalid_token". */
  readonly invalidToken: boolean;
}

export interface IdentityHeaderNames {
  readonly user: readonly string[];
  readonly groups: readonly string[];
}

export interface Answer {
  readonly status: 200 | 401 | 403 | 500;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/** Quotes a value as an RFC 9110 quoted-string; config validation has already refused control characters. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/**
 * All challenges go into one WWW-Authenticate field (RFC 9110 allows a list): nginx 1.22 copies only the first
 * WWW-Authenticate header of the auth response to the client. Basic comes first so browsers prompt.
 */
export function renderChallenge(challenge: Challenge): string {
  const realm = quote(challenge.realm);
  // "bearer" and "oidc" both read Bearer tokens: one Bearer challenge for both. A client certificate has no HTTP
  // challenge: the TLS handshake asked for it.
  const schemes = [...new Set(challenge.schemes.flatMap((kind) => authScheme(kind) ?? []))];
  return schemes
    .map((scheme) =>
      scheme === "Basic"
        ? `Basic realm=${realm}, charset="UTF-8"`
        : `Bearer realm=${realm}${challenge.invalidToken ? ', error="invalid_token"' : ""}`,
    )
    .join(", ");
}

/** The HTTP authentication scheme whose credentials an authenticator kind reads; none for client certificates. */
export function authScheme(kind: AuthenticatorKind): "Basic" | "Bearer" | undefined {
  return kind === "basic" ? "Basic" : kind === "client-certificate" ? undefined : "Bearer";
}

/**
 * @param reasonInBody whether a 403's body names the reason. ingress-nginx never shows the auth response's body to
 * the client, so the reason helps whoever reads nginx's debug output; Traefik and Envoy hand the body to the client,
 * where a reason would tell a stranger which routes and users exist.
 */
export function answer(decision: Decision, names: IdentityHeaderNames, reasonInBody = true): Answer {
  switch (decision.kind) {
    case "allow": {
      const user = encodeUsername(decision.user.username);
      const groups = encodeGroups(decision.user.groups);
      const headers: Array<readonly [string, string]> = [];
      for (const name of names.user) headers.push([name, user]);
      for (const name of names.groups) headers.push([name, groups]);
      return { status: 200, headers, body: "" };
    }
    case "unauthenticated": {
      const challenge = renderChallenge(decision.challenge);
      return {
        status: 401,
        headers: challenge === "" ? [] : [["WWW-Authenticate", challenge]],
        body: "Unauthorized\n",
      };
    }
    case "forbidden":
      return { status: 403, headers: [], body: reasonInBody ? `Forbidden: ${decision.reason}\n` : "Forbidden\n" };
    case "error":
      return { status: 500, headers: [], body: "Internal Server Error\n" };
  }
}
