import type { LoadSource } from "../cache/bounded-cache.js";
import type { Credentials } from "../core/credentials.js";
import type { DecisionCode } from "../core/decision.js";
import type { Route } from "../core/routes.js";
import type { OriginalRequest, UserInfo } from "../core/types.js";

/**
 * Outcome of checking credentials. Rejections are values (they become 401); faults such as an unreachable
 * apiserver are thrown and become 500, never a rejection that could be retried into something else.
 */
export type AuthenticationResult =
  | { readonly kind: "authenticated"; readonly user: UserInfo; readonly cache?: LoadSource }
  | { readonly kind: "rejected"; readonly reason: string; readonly code?: DecisionCode };

/** Checks one kind of credentials for a route. */
export interface Authenticator<C extends Credentials = Credentials> {
  authenticate(credentials: C, route: Route, request: OriginalRequest): Promise<AuthenticationResult>;
}
