/**
 * Authorization for routes of the configuration file (no cluster): any authenticated user, or listed users.
 * Listed names are compared with the identity's username, prefix included.
 */
import type { Authorizer } from "./authorizer.js";

export const staticAuthorizer: Authorizer = {
  async authorize(user, _request, route) {
    const policy = route.authorization;
    if (policy.kind === "authenticated") return { kind: "allow" };
    return policy.users.has(user.username)
      ? { kind: "allow" }
      : { kind: "deny", reason: `user "${user.username}" is not listed for ${route.source}` };
  },
};
