import { describe, expect, it } from "vitest";
import { caddyRoutes, caddyRouteTable } from "../../src/routing/caddy-routes.js";
import { matchRoute } from "../../src/routing/routes.js";
import { prefixRoute } from "../support/routes.js";

describe("configured routes as Caddy compares them", () => {
  it("holds each route under its lower-cased path, as Caddy lower-cases its matchers' patterns", () => {
    const [admin, plain] = caddyRoutes([prefixRoute("a", "app.example.test", "/Admin"), prefixRoute("b", "", "/x")]);
    expect(admin?.path).toBe("/admin");
    expect(admin?.source).toBe("a");
    expect(plain?.path).toBe("/x");
  });

  it("denies a route whose path has a non-ASCII capital letter instead of folding it by other tables", () => {
    const [route] = caddyRoutes([prefixRoute("a", "app.example.test", "/Über")]);
    expect(route?.misconfiguration).toMatch(/non-ASCII capital/);
  });
});

describe("the Caddy endpoint's table, as every Caddy version sorts its handles", () => {
  const exact = (source: string, path: string) => prefixRoute(source, "x.test", path, { pathType: "Exact" });
  const stringPrefix = (source: string, path: string) =>
    prefixRoute(source, "x.test", path, { pathType: "ImplementationSpecific" });

  it("denies an exact path Caddy 2.6 serves by a longer wildcard pattern: `handle /admin*` before `handle /admin`", () => {
    const table = caddyRouteTable([
      exact("exact", "/admin"),
      stringPrefix("admin", "/admin"),
      prefixRoute("rest", "x.test", "/"),
    ]);
    expect(matchRoute(table, "x.test", "/admin")?.misconfiguration).toMatch(/Caddy 2\.6 sorts the handle of admin/);
    expect(matchRoute(table, "x.test", "/admin/x")?.source).toBe("admin");
  });

  it("denies an exact path whose pattern ties in length with a wildcard one: `handle /ab/*` and `handle /ab/x`", () => {
    const table = caddyRouteTable([exact("app", "/ab/x"), prefixRoute("admin", "x.test", "/ab")]);
    expect(matchRoute(table, "x.test", "/ab/x")?.misconfiguration).toBeDefined();
    expect(matchRoute(table, "x.test", "/ab/y")?.source).toBe("admin");
  });

  it("keeps an exact path longer than any rival pattern, and one only its own route or a bare handle covers", () => {
    const table = caddyRouteTable([
      exact("deep", "/ab/xyz"),
      prefixRoute("admin", "x.test", "/ab"),
      prefixRoute("own", "x.test", "/own"),
      prefixRoute("rest", "x.test", "/"),
      exact("top", "/t"),
    ]);
    expect(matchRoute(table, "x.test", "/ab/xyz")).toMatchObject({ source: "deep" });
    expect(matchRoute(table, "x.test", "/ab/xyz")?.misconfiguration).toBeUndefined();
    // Prefix "/own" renders its own exact "/own": no rival.
    expect(matchRoute(table, "x.test", "/own")?.misconfiguration).toBeUndefined();
    expect(matchRoute(table, "x.test", "/t")?.misconfiguration).toBeUndefined();
  });
});
