import { describe, expect, it } from "vitest";
import { type HTTPRouteObject, routesFromHTTPRoutes } from "../../src/core/httproute-routes.js";
import { buildRouteTable, matchRoute } from "../../src/core/routes.js";

const defaults = { realm: "rbac-gate", mapping: "service-proxy" as const, audiences: [] };
const httpRoute = (name: string, extra: Partial<HTTPRouteObject> = {}): HTTPRouteObject => ({
  namespace: "shop",
  name,
  annotations: {},
  hostnames: ["shop.example.test"],
  rules: [{ backendRefs: [{ name: "shop" }] }],
  ...extra,
});
const lookup = (objects: HTTPRouteObject[], host: string, path: string) =>
  matchRoute(buildRouteTable(routesFromHTTPRoutes(objects, defaults).routes), host, path);

describe("routesFromHTTPRoutes", () => {
  it("gives namespace and backend Service from the HTTPRoute, as from an Ingress; no match means prefix /", () => {
    expect(routesFromHTTPRoutes([httpRoute("shop")], defaults).routes).toEqual([
      {
        source: "httproute shop/shop",
        host: "shop.example.test",
        pathPrefix: "/",
        pathType: "Prefix",
        authenticators: ["bearer"],
        realm: "rbac-gate",
        authorization: { kind: "subject-access-review", mapping: "service-proxy" },
        namespace: "shop",
        ingress: "shop",
        service: "shop",
      },
    ]);
  });

  it("matches Exact before the longest PathPrefix, by whole path elements, each rule with its own backend", () => {
    const objects = [
      httpRoute("shop", {
        rules: [
          { matches: [{ path: { type: "PathPrefix", value: "/api/" } }], backendRefs: [{ name: "api" }] },
          { matches: [{ path: { type: "Exact", value: "/api/health" } }], backendRefs: [{ name: "health" }] },
          { backendRefs: [{ name: "web", kind: "Service", group: "" }] },
        ],
      }),
    ];
    expect(lookup(objects, "shop.example.test", "/api/health")?.service).toBe("health");
    expect(lookup(objects, "shop.example.test", "/api/health/x")?.service).toBe("api");
    expect(lookup(objects, "shop.example.test", "/api")?.service).toBe("api");
    expect(lookup(objects, "shop.example.test", "/apix")?.service).toBe("web");
  });

  it("serves every hostname, wildcards for one more label, and every host when hostnames is empty", () => {
    const wild = [httpRoute("a", { hostnames: ["*.Apps.Example.test", "x.example.test"] })];
    expect(lookup(wild, "one.apps.example.test", "/")?.source).toBe("httproute shop/a");
    expect(lookup(wild, "x.example.test", "/")?.source).toBe("httproute shop/a");
    expect(lookup(wild, "two.one.apps.example.test", "/")).toBeUndefined();
    expect(lookup([httpRoute("b", { hostnames: [] })], "anything.example.test", "/")?.source).toBe("httproute shop/b");
  });

  it("the older HTTPRoute wins a conflict, as the Gateway API specifies", () => {
    const older = httpRoute("z-older", { creationTimestamp: "2026-01-01T00:00:00Z" });
    const newer = httpRoute("a-newer", {
      creationTimestamp: "2026-06-01T00:00:00Z",
      rules: [{ backendRefs: [{ name: "new" }] }],
    });
    expect(lookup([newer, older], "shop.example.test", "/")?.source).toBe("httproute shop/z-older");
  });

  it.each([
    [
      "a RegularExpression path",
      { matches: [{ path: { type: "RegularExpression", value: "/a.*" } }], backendRefs: [{ name: "s" }] },
      "RegularExpression path matches are not supported",
    ],
    [
      "a header-conditional match",
      { matches: [{ path: { type: "PathPrefix", value: "/" }, conditional: true }], backendRefs: [{ name: "s" }] },
      "matches on headers, query parameters or method are not supported",
    ],
    [
      "a path nginx or Envoy would rewrite",
      { matches: [{ path: { type: "PathPrefix", value: "/a/../b" } }], backendRefs: [{ name: "s" }] },
      'path "/a/../b" is not a plain normalized path',
    ],
    [
      "a split across Services",
      { backendRefs: [{ name: "blue" }, { name: "green" }] },
      "service-proxy authorization needs one Service per rule, not a split",
    ],
    [
      "a backend in another namespace",
      { backendRefs: [{ name: "s", namespace: "other" }] },
      "backendRef other/s is in another namespace",
    ],
    [
      "a backend that is not a Service",
      { backendRefs: [{ name: "b", group: "gateway.envoyproxy.io", kind: "Backend" }] },
      "backendRef Backend/b is not a Service",
    ],
    ["no backend", { backendRefs: [] }, "service-proxy authorization needs a Service backend"],
  ])("keeps a route with %s and denies it, so requests never fall to a broader route", (_name, rule, problem) => {
    const route = lookup(
      [httpRoute("r", { rules: [rule as HTTPRouteObject["rules"][number]] })],
      "shop.example.test",
      "/",
    );
    expect(route?.misconfiguration).toBe(`httproute shop/r: ${problem}`);
  });

  it("reads the same rbac-gate.io annotations as an Ingress", () => {
    const route = lookup(
      [httpRoute("r", { annotations: { "rbac-gate.io/authorization": "host-path", "rbac-gate.io/realm": "shop" } })],
      "shop.example.test",
      "/",
    );
    expect(route?.authorization).toEqual({ kind: "subject-access-review", mapping: "host-path" });
    expect(route?.realm).toBe("shop");
  });

  it("skips a hostname that is not a DNS name, and says so", () => {
    const { routes, skipped } = routesFromHTTPRoutes([httpRoute("r", { hostnames: ["bad host"] })], defaults);
    expect(routes).toEqual([]);
    expect(skipped).toEqual(['httproute shop/r has hostname "bad host": host is not a valid DNS name or address']);
  });
});
