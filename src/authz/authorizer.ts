import type { LoadSource } from "../cache/bounded-cache.js";
import type { NonResourceAttributes, ResourceAttributes } from "../decision/access-review.js";
import type { Route } from "../routing/routes.js";
import type { OriginalRequest, UserInfo } from "../vocabulary/types.js";

/** What was asked of the apiserver and whether the answer came from the cache, for the audit log. */
export interface AuthorizationTrace {
  readonly resourceAttributes?: ResourceAttributes;
  readonly nonResourceAttributes?: NonResourceAttributes;
  /** The apiserver's own reason (RBAC: allowed by RoleBinding …), for explain and the audit log. */
  readonly reason?: string;
  readonly cache?: LoadSource;
}

/** A denial is a value (403); a fault, such as an apiserver error, is thrown (500). */
export type AuthorizationResult =
  | { readonly kind: "allow"; readonly trace?: AuthorizationTrace }
  | { readonly kind: "deny"; readonly reason: string; readonly trace?: AuthorizationTrace };

export interface Authorizer {
  authorize(user: UserInfo, request: OriginalRequest, route: Route): Promise<AuthorizationResult>;
}
