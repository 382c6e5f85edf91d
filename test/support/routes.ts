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

/** A Prefix route named source, for host and path, open to any authenticated bearer (routing tests). */
export const prefixRoute = (source: string, host: string, path: string, extra: Partial<Route> = {}): Route => ({
  source,
  host,
  path,
  pathType: "Prefix",
  authenticators: ["bearer"],
  realm: "r",
  authorization: { kind: "authenticated" },
  ...extra,
});

/**
 * Whether a normalized path lies under a prefix by whole path elements ("/api" covers "/api/x", not "/apix"): the
 * Kubernetes meaning of a Prefix path, the tests' oracle for what a Prefix route must cover.
 */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f);
}
