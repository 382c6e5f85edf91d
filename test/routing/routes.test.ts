import { describe, expect, it } from "vitest";
import { buildRouteTable, matchRoute, type Route } from "../../src/routing/routes.js";
import { pathHasPrefix } from "../support/routes.js";

const route = (host: string, path: string, pathType: "Exact" | "Prefix" = "Prefix"): Route => ({
  source: `${host}${path}${pathType === "Exact" ? "=" : ""}`,
  host,
  path,
  pathType,
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
  route("exact.example.com", "/api"),
  route("exact.example.com", "/api/health", "Exact"),
  route("exact.example.com", "/x", "Exact"),
  route("", "/"),
  route("", "/open"),
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
    ["exact.example.com", "/api/health", "exact.example.com/api/health="],
    ["exact.example.com", "/api/health/x", "exact.example.com/api"],
    ["exact.example.com", "/x", "exact.example.com/x="],
    ["unnamed.example.org", "/open/door", "/open"],
    ["unnamed.example.org", "/", "/"],
  ])("routes %s%s to %s (exact host first, longest path prefix by element)", (host, path, expected) => {
    expect(matchRoute(table, host, path)?.source).toBe(expected);
  });

  it("sends hosts no server names to the catch-all server: a wildcard covers exactly one label", () => {
    expect(matchRoute(table, "a.b.example.com", "/")?.source).toBe("/");
    expect(matchRoute(table, "example.com", "/")?.source).toBe("/");
  });

  it("never falls back to another server when the host's server has no matching path, as nginx does not", () => {
    expect(matchRoute(table, "exact.example.com", "/x/y")).toBeUndefined();
    expect(matchRoute(table, "exact.example.com", "/open")).toBeUndefined();
  });

  it("matches nothing without a catch-all server", () => {
    const bare = buildRouteTable([route("app.example.com", "/")]);
    expect(matchRoute(bare, "other.example.com", "/")).toBeUndefined();
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

describe("buildRouteTable: locations as nginx would hold them", () => {
  const typed = (source: string, path: string, pathType: Route["pathType"]): Route => ({
    ...route("app.example.com", path),
    source,
    pathType,
  });

  it("an Exact path takes its location from a Prefix path of the same path, which keeps only /p/", () => {
    const t = buildRouteTable([typed("prefix", "/api", "Prefix"), typed("exact", "/api", "Exact")]);
    expect(matchRoute(t, "app.example.com", "/api")?.source).toBe("exact");
    expect(matchRoute(t, "app.example.com", "/api/x")?.source).toBe("prefix");
  });

  it("the older route keeps a path both define with the same type", () => {
    const t = buildRouteTable([
      typed("older", "/a", "ImplementationSpecific"),
      typed("newer", "/a", "ImplementationSpecific"),
    ]);
    expect(matchRoute(t, "app.example.com", "/ab")?.source).toBe("older");
  });

  it("denies a location two path types render alike (nginx would refuse the duplicate location)", () => {
    const t = buildRouteTable([typed("prefix", "/a", "Prefix"), typed("specific", "/a/", "ImplementationSpecific")]);
    expect(matchRoute(t, "app.example.com", "/a/x")?.misconfiguration).toBe(
      "prefix and specific render the same nginx location",
    );
  });

  it("a Gateway API PathPrefix ignores a trailing slash, an Ingress Prefix under ingress-nginx does not", () => {
    const gateway = buildRouteTable([typed("g", "/docs/", "PathPrefix")], "any");
    expect(matchRoute(gateway, "app.example.com", "/docs")?.source).toBe("g");
    const ingress = buildRouteTable([typed("i", "/docs/", "Prefix")]);
    expect(matchRoute(ingress, "app.example.com", "/docs")).toBeUndefined();
    expect(matchRoute(ingress, "app.example.com", "/docs/")?.source).toBe("i");
  });

  it("a Gateway API wildcard covers any number of labels, the longest wildcard first", () => {
    const t = buildRouteTable([route("*.example.com", "/"), route("*.b.example.com", "/")], "any");
    expect(matchRoute(t, "a.b.example.com", "/")?.source).toBe("*.b.example.com/");
    expect(matchRoute(t, "x.y.example.com", "/")?.source).toBe("*.example.com/");
    expect(matchRoute(t, "example.com", "/")).toBeUndefined();
  });
});
