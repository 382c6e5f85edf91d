/**
 * Authorization for routes of the configuration file (no cluster): any authenticated user, or listed users.
 * Listed names are compared with the identity's username, prefix included.
 */
import type { Authorizer } from "./authorizer.js";

export const staticAuthorizer: Authorizer = {
  async authorize(user, _request, route) {
    const policy = route.authorization;
    if (policy.kind === "authenticated") return { kind: "allow" };
    if (policy.kind !== "users") return { kind: "deny", reason: "route is not statically authorized" };
    return policy.users.has(user.username)
      ? { kind: "allow" }
      : { kind: "deny", reason: `user "${user.username}" is not listed for ${route.source}` };
  },
};
