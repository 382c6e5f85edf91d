import { describe, expect, it } from "vitest";
import { buildRouteTable, matchRoute, pathHasPrefix, type Route } from "../../src/core/routes.js";

const route = (host: string, pathPrefix: string): Route => ({
  source: `${host}${pathPrefix}`,
  host,
  pathPrefix,
  authenticators: ["basic"],
  realm: "r",
  authorization: { kind: "authenticated" },
});

const table = buildRouteTable([
  route("app.example.com", "/"),
  route("app.example.com", "/api"),
  route("app.example.com", "/api/admin"),
  route("*.example.com", "/"),
  route("*.example.com", "/metrics"),
]);

describe("matchRoute", () => {
  it.each([
    ["app.example.com", "/", "app.example.com/"],
    ["app.example.com", "/api", "app.example.com/api"],
    ["app.example.com", "/api/x", "app.example.com/api"],
    ["app.example.com", "/apix", "app.example.com/"],
    ["app.example.com", "/api/admin/users", "app.example.com/api/admin"],
    ["other.example.com", "/metrics", "*.example.com/metrics"],
    ["other.example.com", "/metricsx", "*.example.com/"],
  ])("routes %s%s to %s (exact host first, longest path prefix by element)", (host, path, expected) => {
    expect(matchRoute(table, host, path)?.source).toBe(expected);
  });

  it.each([
    ["example.com", "/"],
    ["a.b.example.com", "/"],
    ["app.example.org", "/"],
  ])("matches no route for %s (a wildcard covers exactly one label)", (host, path) => {
    expect(matchRoute(table, host, path)).toBeUndefined();
  });
});

describe("pathHasPrefix", () => {
  it("compares whole path elements", () => {
    expect(pathHasPrefix("/api", "/api")).toBe(true);
    expect(pathHasPrefix("/api/", "/api")).toBe(true);
    expect(pathHasPrefix("/apix", "/api")).toBe(false);
    expect(pathHasPrefix("/anything", "/")).toBe(true);
  });
});
