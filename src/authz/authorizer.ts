import type { Route } from "../core/routes.js";
import type { OriginalRequest, UserInfo } from "../core/types.js";

/** A denial is a value (403); a fault, such as an apiserver error, is thrown (500). */
export type AuthorizationResult = { readonly kind: "allow" } | { readonly kind: "deny"; readonly reason: string };

export interface Authorizer {
  authorize(user: UserInfo, request: OriginalRequest, route: Route): Promise<AuthorizationResult>;
}
