import { describe, expect, it } from "vitest";
import { type RouteSource, routeResolver } from "../../src/routing/route-sources.js";
import { buildRouteTable, matchRoute, type Route, servesHost } from "../../src/routing/routes.js";
import { prefixRoute } from "../support/routes.js";

const route = prefixRoute;

const source = (name: string, routes: RouteSource["routes"], list: Route[]): RouteSource => {
  const table = buildRouteTable(list);
  return {
    name,
    routes,
    match: (host, path) => matchRoute(table, host, path),
    servesHost: (host) => servesHost(table, host),
  };
};

describe("routeResolver: which source decides", () => {
  const cluster = source("ingresses", "ingress", [route("ingress", "app.example.test", "/api")]);
  const configured = source("configured routes", "ingress", [
    route("config", "", "/"),
    route("config-other", "other.example.test", "/"),
  ]);
  const gateway = source("httproutes", "gateway", [route("httproute", "app.example.test", "/")]);
  const resolve = routeResolver([cluster, gateway, configured], "ingress");

  it("the first source that has a server for the host decides, even where none of its locations matches", () => {
    expect(resolve({ host: "app.example.test", path: "/api/x" })?.source).toBe("ingress");
    // The cluster has a server for app.example.test: a configured catch-all never fills in there.
    expect(resolve({ host: "app.example.test", path: "/" })).toBeUndefined();
  });

  it("configured routes fill in for hosts the cluster has no server for", () => {
    expect(resolve({ host: "other.example.test", path: "/" })?.source).toBe("config-other");
    expect(resolve({ host: "unknown.example.test", path: "/" })?.source).toBe("config");
  });

  it("asks only the sources of the proxy's kind: an HTTPRoute never decides for ingress-nginx", () => {
    expect(routeResolver([gateway], "ingress")({ host: "app.example.test", path: "/" })).toBeUndefined();
    expect(routeResolver([gateway], "gateway")({ host: "app.example.test", path: "/" })?.source).toBe("httproute");
  });
});
