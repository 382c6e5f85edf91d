import { describe, expect, it } from "vitest";
import { type IngressObject, routesFromIngresses } from "../../src/core/ingress-routes.js";
import { buildRouteTable, matchRoute } from "../../src/core/routes.js";

const defaults = { realm: "rbac-gate", mapping: "host-path" as const, audiences: [] };
const ingress = (name: string, extra: Partial<IngressObject> = {}): IngressObject => ({
  namespace: "default",
  name,
  annotations: {},
  rules: [],
  ...extra,
});

describe("routesFromIngresses", () => {
  it("turns rules into routes with namespace, Ingress and backend Service from the object", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("hello-app", {
          rules: [{ host: "Hello.Example.test", paths: [{ path: "/", pathType: "Prefix", service: "hello-app" }] }],
        }),
      ],
      defaults,
    );
    expect(routes).toEqual([
      {
        source: "ingress default/hello-app",
        host: "hello.example.test",
        pathPrefix: "/",
        pathType: "Prefix",
        authenticators: ["bearer"],
        realm: "rbac-gate",
        authorization: { kind: "subject-access-review", mapping: "host-path" },
        namespace: "default",
        ingress: "hello-app",
        service: "hello-app",
      },
    ]);
  });

  it("matches like ingress-nginx: Exact first, longest Prefix, trailing slash of a Prefix ignored", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("a", {
          rules: [
            {
              host: "app.example.com",
              paths: [
                { path: "/", pathType: "Prefix", service: "root" },
                { path: "/api/", pathType: "Prefix", service: "api" },
                { path: "/api/v1/health", pathType: "Exact", service: "health" },
                { path: "/docs", pathType: "ImplementationSpecific", service: "docs" },
              ],
            },
          ],
        }),
      ],
      defaults,
    );
    const table = buildRouteTable(routes);
    const svc = (path: string) => matchRoute(table, "app.example.com", path)?.service;
    expect(svc("/api")).toBe("api");
    expect(svc("/api/v1/health")).toBe("health");
    expect(svc("/api/v1/health/x")).toBe("api");
    expect(svc("/apix")).toBe("root");
    expect(svc("/docs/x")).toBe("docs");
  });

  it("lets the older Ingress win a conflict on the same host and path", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("newer", {
          creationTimestamp: "2026-02-01T00:00:00Z",
          rules: [{ host: "a.example.com", paths: [{ path: "/", pathType: "Prefix", service: "new" }] }],
        }),
        ingress("older", {
          creationTimestamp: "2026-01-01T00:00:00Z",
          rules: [{ host: "a.example.com", paths: [{ path: "/", pathType: "Prefix", service: "old" }] }],
        }),
      ],
      defaults,
    );
    expect(matchRoute(buildRouteTable(routes), "a.example.com", "/")?.service).toBe("old");
  });

  it("covers / with the default backend for a rule without paths and for an Ingress without rules", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("hostonly", { defaultBackendService: "dflt", rules: [{ host: "b.example.com" }] }),
        ingress("catchall", { defaultBackendService: "everything" }),
      ],
      defaults,
    );
    const table = buildRouteTable(routes);
    expect(matchRoute(table, "b.example.com", "/x")?.service).toBe("dflt");
    expect(matchRoute(table, "unknown.example.com", "/x")?.service).toBe("everything");
  });

  it("keeps a route with an invalid setting, marked misconfigured, so its requests are denied", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("bad", {
          annotations: { "rbac-gate.io/authorization": "maybe" },
          rules: [{ host: "c.example.com", paths: [{ path: "/", service: "c" }] }],
        }),
        ingress("regex", {
          annotations: { "nginx.ingress.kubernetes.io/use-regex": "true" },
          rules: [{ host: "d.example.com", paths: [{ path: "/api/(.*)", service: "d" }] }],
        }),
        ingress("dots", { rules: [{ host: "e.example.com", paths: [{ path: "/a/../b", service: "e" }] }] }),
        ingress("resource", {
          annotations: { "rbac-gate.io/authorization": "service-proxy" },
          rules: [{ host: "f.example.com", paths: [{ path: "/" }] }],
        }),
      ],
      defaults,
    );
    expect(routes.map((r) => r.misconfiguration)).toEqual([
      'ingress default/bad: annotation rbac-gate.io/authorization has "maybe": it must be "host-path", "service-proxy" or "template"',
      'ingress default/dots: path "/a/../b" is not a plain normalized path',
      "ingress default/regex: regular-expression paths (use-regex, rewrite-target) are not supported",
      "ingress default/resource: service-proxy authorization needs a Service backend",
    ]);
  });

  it("skips a rule whose host can never match, and says so", () => {
    const { routes, skipped } = routesFromIngresses(
      [ingress("h", { rules: [{ host: "bad host", paths: [{ path: "/" }] }] })],
      defaults,
    );
    expect(routes).toEqual([]);
    expect(skipped).toEqual(['ingress default/h has host "bad host": host is not a valid DNS name or address']);
  });
});
