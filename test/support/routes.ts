import type { Route } from "../../src/routing/routes.js";

/** A static route for a.example.com that accepts bearer tokens and asks SubjectAccessReviews (host-path). */
export const bearerRoute: Route = {
  source: "r",
  host: "a.example.com",
  path: "/",
  pathType: "Prefix",
  authenticators: ["bearer"],
  realm: "r",
  authorization: { kind: "subject-access-review", mapping: "host-path" },
};
