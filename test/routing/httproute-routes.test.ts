import { describe, expect, it } from "vitest";
import { type HTTPRouteObject, routesFromHTTPRoutes } from "../../src/routing/httproute-routes.js";
import { buildRouteTable, matchRoute } from "../../src/routing/routes.js";

const defaults = { realm: "rbac-gate", mapping: "service-proxy" as const, audiences: [] };
/** The Gateway rbac-gate fronts in these tests: one listener for every host, routes from every namespace. */
const gateways = new Map([
  ["infra/edge", { namespace: "infra", name: "edge", listeners: [{ name: "http", allowedFrom: "All" }] }],
]);
const edge = { namespace: "infra", name: "edge" };
const httpRoute = (name: string, extra: Partial<HTTPRouteObject> = {}): HTTPRouteObject => ({
  namespace: "shop",
  name,
  annotations: {},
  hostnames: ["shop.example.test"],
  parentRefs: [edge],
  parents: [{ parentRef: edge, accepted: true }],
  rules: [{ backendRefs: [{ name: "shop" }] }],
  ...extra,
});
const routesOf = (objects: HTTPRouteObject[]) => routesFromHTTPRoutes(objects, defaults, gateways);
const lookup = (objects: HTTPRouteObject[], host: string, path: string) =>
  matchRoute(buildRouteTable(routesOf(objects).routes, "any"), host, path);

describe("routesFromHTTPRoutes", () => {
  it("gives namespace and backend Service from the HTTPRoute, as from an Ingress; no match means prefix /", () => {
    expect(routesOf([httpRoute("shop")]).routes).toEqual([
      {
        source: "httproute shop/shop",
        host: "shop.example.test",
        path: "/",
        pathType: "PathPrefix",
        authenticators: ["bearer"],
        realm: "rbac-gate",
        authorization: { kind: "subject-access-review", mapping: "service-proxy" },
        namespace: "shop",
        objectName: "shop",
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

  it("serves every hostname, wildcards as a suffix of any labels (Gateway API), and every host when hostnames is empty", () => {
    const wild = [httpRoute("a", { hostnames: ["*.Apps.Example.test", "x.example.test"] })];
    expect(lookup(wild, "one.apps.example.test", "/")?.source).toBe("httproute shop/a");
    expect(lookup(wild, "x.example.test", "/")?.source).toBe("httproute shop/a");
    expect(lookup(wild, "two.one.apps.example.test", "/")?.source).toBe("httproute shop/a");
    expect(lookup(wild, "apps.example.test", "/")).toBeUndefined();
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
    const { routes, skipped } = routesOf([httpRoute("r", { hostnames: ["bad host"] })]);
    expect(routes).toEqual([]);
    expect(skipped).toEqual(['httproute shop/r has hostname "bad host": host is not a valid DNS name or address']);
  });
});

describe("routesFromHTTPRoutes: only what a fronted Gateway serves", () => {
  it("an HTTPRoute attached to no Gateway, or to a Gateway rbac-gate does not front, makes no route", () => {
    const loose = httpRoute("loose", { parentRefs: [], parents: [] });
    const elsewhere = httpRoute("elsewhere", {
      parentRefs: [{ namespace: "infra", name: "other" }],
      parents: [{ parentRef: { namespace: "infra", name: "other" }, accepted: true }],
    });
    expect(routesOf([loose, elsewhere]).routes).toEqual([]);
  });

  it("a parentRef the Gateway's controller has not accepted makes no route, whatever the spec says", () => {
    expect(routesOf([httpRoute("pending", { parents: [] })]).routes).toEqual([]);
    expect(routesOf([httpRoute("refused", { parents: [{ parentRef: edge, accepted: false }] })]).routes).toEqual([]);
  });

  it("a listener that admits only its own namespace ignores another namespace's route, even one marked accepted", () => {
    const same = new Map([
      ["infra/edge", { namespace: "infra", name: "edge", listeners: [{ name: "http", allowedFrom: "Same" }] }],
    ]);
    expect(routesFromHTTPRoutes([httpRoute("r")], defaults, same).routes).toEqual([]);
  });

  it("only hostnames a listener admits count: a tenant cannot add another team's host through its listener", () => {
    const shopOnly = new Map([
      [
        "infra/edge",
        {
          namespace: "infra",
          name: "edge",
          listeners: [{ name: "shop", hostname: "*.shop.example.test", allowedFrom: "All" }],
        },
      ],
    ]);
    const route = httpRoute("r", { hostnames: ["www.shop.example.test", "bank.example.test"] });
    const hosts = routesFromHTTPRoutes([route], defaults, shopOnly).routes.map((r) => r.host);
    expect(hosts).toEqual(["www.shop.example.test"]);
    const none = httpRoute("n", { hostnames: [] });
    expect(routesFromHTTPRoutes([none], defaults, shopOnly).routes.map((r) => r.host)).toEqual(["*.shop.example.test"]);
  });

  it("a sectionName attaches to that listener only", () => {
    const two = new Map([
      [
        "infra/edge",
        {
          namespace: "infra",
          name: "edge",
          listeners: [
            { name: "a", hostname: "a.example.test", allowedFrom: "All" },
            { name: "b", hostname: "b.example.test", allowedFrom: "All" },
          ],
        },
      ],
    ]);
    const ref = { ...edge, sectionName: "b" };
    const route = httpRoute("r", { hostnames: [], parentRefs: [ref], parents: [{ parentRef: ref, accepted: true }] });
    expect(routesFromHTTPRoutes([route], defaults, two).routes.map((r) => r.host)).toEqual(["b.example.test"]);
  });

  it("a Selector listener admits nothing: the namespace labels it selects by are not watched", () => {
    const selector = new Map([
      ["infra/edge", { namespace: "infra", name: "edge", listeners: [{ name: "a", allowedFrom: "Selector" }] }],
    ]);
    expect(routesFromHTTPRoutes([httpRoute("r")], defaults, selector).routes).toEqual([]);
  });

  it("refuses a host two listeners serve with different HTTPRoutes, and keeps one they serve alike (http and https)", () => {
    const twoListeners = new Map([
      [
        "infra/edge",
        {
          namespace: "infra",
          name: "edge",
          listeners: [
            { name: "internal", port: 8080, allowedFrom: "All" },
            { name: "external", port: 443, allowedFrom: "All", hostname: "shop.example.test" },
          ],
        },
      ],
    ]);
    const internalRef = { ...edge, sectionName: "internal" };
    const sneaky = httpRoute("sneaky", {
      namespace: "other",
      parentRefs: [internalRef],
      parents: [{ parentRef: internalRef, accepted: true }],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/admin" } }], backendRefs: [{ name: "x" }] }],
    });
    const both = routesFromHTTPRoutes([httpRoute("shop"), sneaky], defaults, twoListeners).routes;
    expect(both.every((r) => r.misconfiguration?.includes("several listeners with different HTTPRoutes"))).toBe(true);
    const alike = routesFromHTTPRoutes([httpRoute("shop")], defaults, twoListeners).routes;
    expect(alike.map((r) => r.misconfiguration)).toEqual([undefined]);
  });
});
