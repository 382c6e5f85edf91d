import type { LoadSource } from "../cache/bounded-cache.js";
import type { DecisionCode } from "../decision/decision.js";
import type { Credentials } from "../request/credentials.js";
import type { Route } from "../routing/routes.js";
import type { AuthenticatorKind, OriginalRequest, UserInfo } from "../vocabulary/types.js";

/**
 * Outcome of checking credentials, in the kube-apiserver's union style: an authenticator that does not read this
 * kind of credentials has no opinion, and the next one is asked. Rejections are values (they become 401); faults
 * such as an unreachable apiserver are thrown and become 500, never a rejection that could be retried into
 * something else.
 */
export type AuthenticationResult =
  | {
      readonly kind: "authenticated";
      readonly user: UserInfo;
      readonly cache?: LoadSource;
      /**
       * An identity read locally that the apiserver must still confirm (a ServiceAccount token's existence): the
       * gate starts this with the authorization and allows only when it answers "authenticated" too.
       */
      readonly confirm?: () => Promise<AuthenticationResult>;
    }
  | { readonly kind: "rejected"; readonly reason: string; readonly code?: DecisionCode }
  | { readonly kind: "no-opinion" };

/** One way of telling who is asking. A route lists the kinds it accepts, in challenge order. */
export interface Authenticator {
  readonly kind: AuthenticatorKind;
  authenticate(credentials: Credentials, route: Route, request: OriginalRequest): Promise<AuthenticationResult>;
}

export const NO_OPINION: AuthenticationResult = Object.freeze({ kind: "no-opinion" });
