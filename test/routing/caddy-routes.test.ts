import { describe, expect, it } from "vitest";
import { caddyRoutes } from "../../src/routing/caddy-routes.js";
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
