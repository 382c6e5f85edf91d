/** Chooses the authorizer a route asks for: static rules of the configuration file, or SubjectAccessReview. */
import type { Authorizer } from "./authorizer.js";
import { staticAuthorizer } from "./static.js";

export function routeAuthorizer(subjectAccessReview?: Authorizer): Authorizer {
  return {
    authorize(user, request, route) {
      if (route.authorization.kind !== "subject-access-review") return staticAuthorizer.authorize(user, request, route);
      if (!subjectAccessReview) throw new Error("SubjectAccessReview authorization needs a cluster");
      return subjectAccessReview.authorize(user, request, route);
    },
  };
}
