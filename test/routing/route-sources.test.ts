import { describe, expect, it } from "vitest";
import { type RouteSource, routeResolver } from "../../src/routing/route-sources.js";
import { buildRouteTable, matchRoute, type Route, servesHost } from "../../src/routing/routes.js";
import { prefixRoute } from "../support/routes.js";

const route = prefixRoute;
const sourceOf = (found: ReturnType<ReturnType<typeof routeResolver>>) => (found as Route | undefined)?.source;

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
    expect(sourceOf(resolve({ host: "app.example.test", path: "/api/x" }))).toBe("ingress");
    // The cluster has a server for app.example.test: a configured catch-all never fills in there.
    expect(resolve({ host: "app.example.test", path: "/" })).toBeUndefined();
  });

  it("configured routes fill in for hosts the cluster has no server for", () => {
    expect(sourceOf(resolve({ host: "other.example.test", path: "/" }))).toBe("config-other");
    expect(sourceOf(resolve({ host: "unknown.example.test", path: "/" }))).toBe("config");
  });

  it("asks only the sources of the proxy's kind: an HTTPRoute never decides for ingress-nginx", () => {
    expect(routeResolver([gateway], "ingress")({ host: "app.example.test", path: "/" })).toBeUndefined();
    expect(sourceOf(routeResolver([gateway], "gateway")({ host: "app.example.test", path: "/" }))).toBe("httproute");
  });
});

describe("routeResolver: a proxy that may route a path by several readings", () => {
  const caddy = source("configured routes", "caddy", [
    route("public", "app.example.test", "/"),
    { ...route("admin", "app.example.test", "/admin"), pathType: "ImplementationSpecific" },
  ]);
  const resolve = routeResolver([caddy], "caddy");

  it("decides by the route every reading finds", () => {
    const found = resolve({ host: "app.example.test", path: "/Admin/x", routingPaths: ["/admin/x"] });
    expect(sourceOf(found)).toBe("admin");
  });

  it("routes by the readings, not by the path as the app receives it", () => {
    const found = resolve({ host: "app.example.test", path: "/ADMIN", routingPaths: ["/admin"] });
    expect(sourceOf(found)).toBe("admin");
  });

  it("is ambiguous when two readings find different routes, naming both", () => {
    // Caddy 2.6 trims the trailing dot and serves the exact /admin route; later versions serve "/".
    const exact = routeResolver(
      [
        source("c", "caddy", [
          route("public", "app.example.test", "/"),
          { ...route("admin", "app.example.test", "/admin"), pathType: "Exact" },
        ]),
      ],
      "caddy",
    );
    const found = exact({ host: "app.example.test", path: "/admin.", routingPaths: ["/admin.", "/admin"] });
    expect(found).toEqual({
      ambiguous: "the proxy may route this path as /admin. (public) or as /admin (admin)",
    });
  });

  it("is ambiguous when one reading finds a route and another none", () => {
    const other = routeResolver([source("c", "caddy", [route("exact", "app.example.test", "/a")])], "caddy");
    const found = other({ host: "app.example.test", path: "/a.", routingPaths: ["/a.", "/a"] });
    expect(found).toHaveProperty("ambiguous");
  });
});
