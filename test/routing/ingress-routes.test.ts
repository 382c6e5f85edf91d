import { describe, expect, it } from "vitest";
import { type IngressObject, routesFromIngresses } from "../../src/routing/ingress-routes.js";
import { buildRouteTable, matchRoute } from "../../src/routing/routes.js";

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
        path: "/",
        pathType: "Prefix",
        authenticators: ["bearer"],
        realm: "rbac-gate",
        authorization: { kind: "subject-access-review", mapping: "host-path" },
        namespace: "default",
        objectName: "hello-app",
        service: "hello-app",
      },
    ]);
  });

  it("matches as ingress-nginx renders each pathType: = for Exact, /p/ and = /p for Prefix, a string prefix for ImplementationSpecific", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("a", {
          rules: [
            {
              host: "app.example.com",
              paths: [
                { path: "/", pathType: "Prefix", service: "root" },
                { path: "/api", pathType: "Prefix", service: "api" },
                { path: "/api/v1/health", pathType: "Exact", service: "health" },
                { path: "/admin", pathType: "ImplementationSpecific", service: "admin" },
                { path: "/slash/", pathType: "Prefix", service: "slash" },
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
    expect(svc("/api/")).toBe("api");
    expect(svc("/api/v1/health")).toBe("health");
    expect(svc("/api/v1/health/x")).toBe("api");
    expect(svc("/apix")).toBe("root");
    // location /admin: nginx serves all of these from the admin backend, so they are decided by its route.
    for (const path of ["/admin", "/admin/x", "/adminx", "/admin.php", "/admin;x=1", "/admin "]) {
      expect(svc(path)).toBe("admin");
    }
    // Prefix "/slash/" renders "location /slash/" and "location = /slash/": "/slash" itself goes to "/".
    expect(svc("/slash/")).toBe("slash");
    expect(svc("/slash/x")).toBe("slash");
    expect(svc("/slash")).toBe("root");
  });

  it("denies a path nginx's strict path validation refuses for Exact and Prefix", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("a", {
          rules: [{ host: "a.example.com", paths: [{ path: "/x.php", pathType: "Prefix", service: "s" }] }],
        }),
      ],
      defaults,
    );
    expect(routes[0]?.misconfiguration).toBe(
      'ingress default/a: path "/x.php" fails ingress-nginx\'s validation for pathType Prefix',
    );
  });

  it("makes no route for a path whose backend is not a Service: ingress-nginx renders no location for it", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("a", {
          rules: [
            {
              host: "a.example.com",
              paths: [
                { path: "/res", pathType: "Prefix" },
                { path: "/", pathType: "Prefix", service: "s" },
              ],
            },
          ],
        }),
      ],
      defaults,
    );
    expect(routes.map((r) => r.path)).toEqual(["/"]);
  });

  it("denies every route of a host where any Ingress turns its locations into regular expressions", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("plain", {
          rules: [{ host: "r.example.com", paths: [{ path: "/admin", pathType: "Prefix", service: "a" }] }],
        }),
        ingress("regex", {
          annotations: { "nginx.ingress.kubernetes.io/use-regex": "true" },
          rules: [
            { host: "r.example.com", paths: [{ path: "/api/.*", pathType: "ImplementationSpecific", service: "b" }] },
          ],
        }),
        ingress("other", {
          rules: [{ host: "s.example.com", paths: [{ path: "/", pathType: "Prefix", service: "c" }] }],
        }),
      ],
      defaults,
    );
    const table = buildRouteTable(routes);
    // use-regex makes every location of r.example.com "~* ^/admin": /ADMIN reaches the admin backend there.
    expect(matchRoute(table, "r.example.com", "/admin")?.misconfiguration).toMatch(/regular-expression locations/);
    expect(matchRoute(table, "s.example.com", "/")?.misconfiguration).toBeUndefined();
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
          rules: [{ host: "c.example.com", paths: [{ path: "/", pathType: "Prefix", service: "c" }] }],
        }),
        ingress("regex", {
          annotations: { "nginx.ingress.kubernetes.io/use-regex": "true" },
          rules: [
            { host: "d.example.com", paths: [{ path: "/api/(.*)", pathType: "ImplementationSpecific", service: "d" }] },
          ],
        }),
        ingress("dots", { rules: [{ host: "e.example.com", paths: [{ path: "/a/../b", service: "e" }] }] }),
        ingress("resource", {
          annotations: { "rbac-gate.io/authorization": "service-proxy" },
          rules: [{ host: "f.example.com" }],
        }),
      ],
      defaults,
    );
    expect(routes.map((r) => r.misconfiguration).sort()).toEqual([
      'ingress default/bad: annotation rbac-gate.io/authorization has "maybe": it must be "host-path", "service-proxy" or "template"',
      'ingress default/dots: path "/a/../b" is not a plain normalized path',
      'ingress default/regex: host "d.example.com" has regular-expression locations (use-regex or rewrite-target on ingress default/regex), which are not supported',
      'ingress default/regex: host "d.example.com" has regular-expression locations (use-regex or rewrite-target), which are not supported',
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

  it("reads use-regex as ingress-nginx does (Go's ParseBool): \"True\" turns the host's locations into regular expressions too", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("victim", {
          rules: [{ host: "r.example.com", paths: [{ path: "/admin", pathType: "Prefix", service: "a" }] }],
        }),
        ingress("other", {
          annotations: { "nginx.ingress.kubernetes.io/use-regex": "True" },
          rules: [{ host: "r.example.com", paths: [{ path: "/zzz", pathType: "Prefix", service: "z" }] }],
        }),
      ],
      defaults,
    );
    expect(routes.every((r) => r.misconfiguration?.includes("regular-expression locations"))).toBe(true);
  });

  it("makes no route of a canary and denies the location whose traffic it shares, whichever namespace owns it", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("app", {
          creationTimestamp: "2026-01-01T00:00:00Z",
          rules: [{ host: "c.example.com", paths: [{ path: "/", pathType: "Prefix", service: "app" }] }],
        }),
        {
          ...ingress("canary", {
            annotations: {
              "nginx.ingress.kubernetes.io/canary": "true",
              "nginx.ingress.kubernetes.io/canary-weight": "0",
            },
            rules: [{ host: "c.example.com", paths: [{ path: "/", pathType: "Prefix", service: "atk" }] }],
          }),
          namespace: "attacker",
        },
      ],
      defaults,
    );
    expect(routes.map((r) => [r.source, r.misconfiguration])).toEqual([
      [
        "ingress default/app",
        "ingress default/app: the canary ingress attacker/canary may serve this location from its own backend",
      ],
    ]);
  });

  it("refuses a host named by a server-alias, and every wildcard or catch-all route when an alias is a pattern", () => {
    const { routes } = routesFromIngresses(
      [
        ingress("a", {
          annotations: { "nginx.ingress.kubernetes.io/server-alias": "alias.example.com, *.example.com" },
          rules: [{ host: "a.example.com", paths: [{ path: "/", pathType: "Prefix", service: "a" }] }],
        }),
        ingress("w", {
          rules: [{ host: "*.w.example.com", paths: [{ path: "/", pathType: "Prefix", service: "w" }] }],
        }),
      ],
      defaults,
    );
    const table = buildRouteTable(routes);
    expect(matchRoute(table, "alias.example.com", "/x")?.misconfiguration).toMatch(/is a server-alias/);
    expect(matchRoute(table, "x.w.example.com", "/")?.misconfiguration).toMatch(/server-alias of ingress default\/a/);
    expect(matchRoute(table, "a.example.com", "/")?.misconfiguration).toBeUndefined();
  });

  it("breaks a tie of creationTimestamp as ingress-nginx does: the greater namespace/name first, whatever the format", () => {
    const { routes } = routesFromIngresses(
      [
        {
          ...ingress("x", { creationTimestamp: "2026-01-01T00:00:00.000Z" }),
          namespace: "team-a",
          rules: [{ host: "t.example.com", paths: [{ path: "/", pathType: "Prefix", service: "a" }] }],
        },
        {
          ...ingress("y", { creationTimestamp: "2026-01-01T00:00:00Z" }),
          namespace: "team-b",
          rules: [{ host: "t.example.com", paths: [{ path: "/", pathType: "Prefix", service: "b" }] }],
        },
      ],
      defaults,
    );
    expect(matchRoute(buildRouteTable(routes), "t.example.com", "/")?.service).toBe("b");
  });
});
