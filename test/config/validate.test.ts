import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { resolveConfig } from "../../src/config/validate.js";

const minimal = {
  htpasswd: { files: [{ name: "team", path: "users.htpasswd" }] },
  routes: [{ host: "app.example.com", htpasswd: "team", allow: { authenticated: true } }],
};

describe("resolveConfig", () => {
  it("completes a minimal configuration with defaults and freezes it", () => {
    const result = resolveConfig(minimal, "/etc/rbac-gate");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const config = result.value;
    expect(config.listen).toEqual({ address: "127.0.0.1", port: 8080 });
    expect(config.identityHeaders).toEqual({
      user: ["X-Auth-Request-User", "X-Remote-User"],
      groups: ["X-Auth-Request-Groups", "X-Remote-Group"],
    });
    expect(config.htpasswd.files[0]?.path).toBe("/etc/rbac-gate/users.htpasswd");
    expect(config.htpasswd.cache).toEqual({ ttlMs: 300_000, maxEntries: 10_000 });
    expect(config.routes[0]).toMatchObject({
      source: "routes[0]",
      host: "app.example.com",
      path: "/",
      authenticators: ["basic"],
      realm: "rbac-gate",
    });
    expect(Object.isFrozen(config.routes[0])).toBe(true);
    expect(Object.isFrozen(config.htpasswd.files)).toBe(true);
  });

  it("reports every problem at once, one line each, naming where, in the order they are written", () => {
    const result = resolveConfig(
      {
        listen: { port: 70000, adress: "0.0.0.0" },
        logLevel: "verbose",
        realm: "bad\nrealm",
        identityHeaders: { user: ["X-User", "x-user"], groups: ["bad header"] },
        htpasswd: {
          allowWeakSchemes: "no",
          cache: { ttl: "5 minutes", maxEntries: 0 },
          files: [{ name: "Team", path: "a" }, { name: "ops" }, { name: "ops", path: "b" }],
        },
        routes: [
          { host: "App.example.com", allow: { authenticated: true }, htpasswd: "team" },
          { host: "app.example.com", path: "/api/", htpasswd: "nope", allow: { users: [] } },
          { host: "a.example.com", authenticators: ["bearer", "digest"], allow: { authenticated: true, users: ["x"] } },
          { host: "*.example.com", path: "/x/../y", htpasswd: "ops", allow: { authenticated: false } },
          { host: "b.example.com", htpasswd: "ops", allow: { authenticated: true } },
          { host: "b.example.com", htpasswd: "ops", allow: { authenticated: true } },
        ],
      },
      "/etc",
    );
    expect(result).toEqual({
      ok: false,
      error: [
        "listen.port has 70000: it must be a whole number from 1 to 65535",
        'listen has unknown field "adress": known fields are address, port, tls',
        'logLevel has "verbose": it must be one of debug, info, warn, error',
        'realm has "bad\\nrealm": it must be printable ASCII, 1 to 128 characters',
        'identityHeaders has "x-user" twice: each header carries one field',
        'identityHeaders.groups[0] has "bad header": it must be an HTTP header name',
        'htpasswd.allowWeakSchemes has "no": it must be true or false',
        'htpasswd.cache.ttl has "5 minutes": it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        "htpasswd.cache.maxEntries has 0: it must be a whole number from 1 to 10000000",
        'htpasswd.files[0].name has "Team": it must be a lower-case DNS label',
        "htpasswd.files[1].path is missing: it must be a file path",
        'htpasswd.files[2].name has "ops" again: names must be unique',
        'routes[0].host has "App.example.com": it must be a lower-case DNS name without port, or "*." and a DNS name',
        'routes[0].htpasswd has "team": it must name an entry of htpasswd.files',
        'routes[1].path has "/api/": it must be a normalized path prefix such as "/" or "/api"',
        'routes[1].htpasswd has "nope": it must name an entry of htpasswd.files',
        "routes[1].allow.users has an empty list: it must name at least one item",
        'routes[2].authenticators[0] has "bearer": bearer tokens are verified by TokenReview, which needs a cluster',
        'routes[2].authenticators[1] has "digest": it must be "basic" or "client-certificate"',
        "routes[2].allow has more than one of authenticated, users and subjectAccessReview: it must be one of {authenticated: true}, {users: [names]} or {subjectAccessReview: host-path}",
        'routes[3].path has "/x/../y": it must be a normalized path prefix such as "/" or "/api"',
        "routes[3].allow.authenticated has false: it must be one of {authenticated: true}, {users: [names]} or {subjectAccessReview: host-path}",
        'routes[5] has host "b.example.com", path "/" and pathType Prefix again: routes must differ',
      ],
    });
  });

  it("requires at least one route and refuses unknown top-level fields", () => {
    expect(resolveConfig({ route: [] }, "/")).toEqual({
      ok: false,
      error: [
        'configuration has unknown field "route": known fields are listen, logLevel, realm, identityHeaders, htpasswd, routes, kubernetes, grpc, metrics, health, regulation, shutdownTimeout, audit, allowCache, clientCertificates',
        "routes is missing: it must be a list",
      ],
    });
  });

  it("requires an htpasswd file for basic authentication", () => {
    const result = resolveConfig({ routes: [{ host: "a.example.com", allow: { authenticated: true } }] }, "/");
    expect(result).toEqual({
      ok: false,
      error: ["routes[0].htpasswd is missing: basic authentication needs an htpasswd file"],
    });
  });
});

describe("resolveConfig, client certificates", () => {
  const route = { host: "a.example.com", authenticators: ["client-certificate"], allow: { authenticated: true } };

  it("refuses a route that lists client certificates when no CA bundle is configured", () => {
    expect(resolveConfig({ routes: [route] }, "/")).toEqual({
      ok: false,
      error: [
        'routes[0].authenticators has ["client-certificate"]: client certificates need clientCertificates.caFile',
      ],
    });
  });

  it("resolves the CA bundle's path against the configuration file's folder", () => {
    const result = resolveConfig({ clientCertificates: { caFile: "ca.crt" }, routes: [route] }, "/etc/rbac-gate");
    expect(result.ok && result.value.clientCertificates).toEqual({ caFile: "/etc/rbac-gate/ca.crt" });
  });
});

describe("parseConfig", () => {
  it("reports invalid YAML with the yaml library's own message, its line and column", () => {
    expect(parseConfig("routes:\n  - host: [\n", "/", "config.yaml")).toEqual({
      ok: false,
      error: [
        "config.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    });
  });

  it("refuses duplicate keys, which YAML would otherwise resolve silently", () => {
    expect(parseConfig("realm: a\nrealm: b\nroutes: []\n", "/")).toEqual({
      ok: false,
      error: ["line 2, column 1: invalid YAML: Map keys must be unique"],
    });
  });
});

describe("resolveConfig, kubernetes section", () => {
  it("resolves authenticationConfig against the file's folder and lets routes accept oidc only with it", () => {
    const route = { host: "a.example.com", authenticators: ["oidc"], allow: { authenticated: true } };
    const withFile = resolveConfig(
      { kubernetes: { authenticationConfig: "authn.yaml" }, routes: [route] },
      "/etc/rbac-gate",
    );
    expect(withFile.ok && withFile.value.kubernetes?.authenticationConfig).toBe("/etc/rbac-gate/authn.yaml");
    expect(resolveConfig({ kubernetes: {}, routes: [route] }, "/etc/rbac-gate")).toEqual({
      ok: false,
      error: [
        'routes[0].authenticators[0] has "oidc": oidc tokens are verified by the issuers of kubernetes.authenticationConfig, which is not set',
      ],
    });
  });

  it("lets a configured route ask Kubernetes RBAC about its host and path, only with a cluster", () => {
    const route = { host: "a.example.com", authenticators: ["bearer"], allow: { subjectAccessReview: "host-path" } };
    const withCluster = resolveConfig({ kubernetes: {}, routes: [route] }, "/etc/rbac-gate");
    expect(withCluster.ok && withCluster.value.routes[0]?.authorization).toEqual({
      kind: "subject-access-review",
      mapping: "host-path",
    });
    const local = resolveConfig(
      { ...minimal, routes: [{ ...minimal.routes[0], allow: { subjectAccessReview: "host-path" } }] },
      "/etc/rbac-gate",
    );
    expect(local).toEqual({
      ok: false,
      error: [
        'routes[0].allow.subjectAccessReview has "host-path": a SubjectAccessReview needs a cluster: set kubernetes',
      ],
    });
  });

  it("switches to cluster mode with defaults, without requiring routes, and allows bearer on routes", () => {
    const result = resolveConfig(
      {
        kubernetes: { kubeconfig: "kc.yaml" },
        routes: [{ host: "a.example.com", authenticators: ["bearer"], allow: { authenticated: true } }],
      },
      "/etc/rbac-gate",
    );
    expect(result.ok && result.value.kubernetes).toEqual({
      kubeconfig: "/etc/rbac-gate/kc.yaml",
      requestTimeoutMs: 5000,
      qps: 50,
      burst: 100,
      maxPendingPerClient: 100,
      ingressClassName: "nginx",
      watchIngressWithoutClass: false,
      httpRoutes: false,
      gateways: [],
      hostOwnership: "oldest-namespace",
      namespaces: [],
      secretNamespaces: "all",
      audiences: [],
      authorization: "host-path",
      serviceAccountTokens: { verify: "tokenreview" },
      htpasswdUsernamePrefix: "htpasswd:",
      watchFailureGraceMs: 60_000,
      cache: {
        maxEntries: 10_000,
        tokenReviewTtlMs: 120_000,
        tokenReviewFailureTtlMs: 10_000,
        allowTtlMs: 300_000,
        denyTtlMs: 30_000,
        maxStaleMs: 0,
      },
    });
    expect(resolveConfig({ kubernetes: {} }, "/").ok).toBe(true);
  });

  it("refuses HTTPRoutes without the Gateways they must be served by, and unknown host ownership", () => {
    const result = resolveConfig({ kubernetes: { httpRoutes: true, hostOwnership: "first" } }, "/");
    expect(result.ok ? [] : result.error).toEqual([
      'kubernetes.hostOwnership has "first": it must be "oldest-namespace" or "shared"',
      "kubernetes.gateways is empty: with httpRoutes on, name the Gateways rbac-gate fronts (namespace/name), so that an HTTPRoute attached to no Gateway of yours decides nothing",
    ]);
    const ok = resolveConfig({ kubernetes: { httpRoutes: true, gateways: ["infra/edge"] } }, "/");
    expect(ok.ok && ok.value.kubernetes?.gateways).toEqual(["infra/edge"]);
  });

  it("watches the Secrets of the served namespaces unless told otherwise; [] turns htpasswd Secrets off", () => {
    const secrets = (kubernetes: object) => {
      const r = resolveConfig({ kubernetes }, "/");
      return r.ok ? r.value.kubernetes?.secretNamespaces : r.error;
    };
    expect(secrets({ namespaces: ["a", "b"] })).toEqual(["a", "b"]);
    expect(secrets({ namespaces: ["a"], secretNamespaces: [] })).toEqual([]);
    expect(secrets({ secretNamespaces: ["*"] })).toBe("all");
    expect(secrets({ secretNamespaces: ["*", "a"] })).toEqual([
      'kubernetes.secretNamespaces has "*" among names: "*" stands alone, meaning every namespace',
    ]);
  });

  it('checks ServiceAccount tokens locally only when serviceAccountTokens.verify is "local"', () => {
    const local = resolveConfig({ kubernetes: { serviceAccountTokens: { verify: "local" } } }, "/");
    expect(local.ok && local.value.kubernetes?.serviceAccountTokens).toEqual({ verify: "local" });
    expect(resolveConfig({ kubernetes: { serviceAccountTokens: { verify: "jwks" } } }, "/")).toEqual({
      ok: false,
      error: ['kubernetes.serviceAccountTokens.verify has "jwks": it must be "tokenreview" or "local"'],
    });
  });

  it("reports every kubernetes problem at once", () => {
    expect(
      resolveConfig(
        {
          kubernetes: {
            qps: 0,
            namespaces: ["Team_A"],
            authorization: "everything",
            htpasswdUsernamePrefix: "",
            cache: { maxStale: "forever", denyTTL: "1s" },
          },
        },
        "/",
      ),
    ).toEqual({
      ok: false,
      error: [
        "kubernetes.qps has 0: it must be a whole number from 1 to 10000",
        'kubernetes.namespaces[0] has "Team_A": it must be a namespace name',
        'kubernetes.authorization has "everything": it must be "host-path" or "service-proxy"',
        'kubernetes.htpasswdUsernamePrefix has "": it must not be empty, or a password user could pose as a cluster identity',
        'kubernetes.cache.maxStale has "forever": it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        'kubernetes.cache has unknown field "denyTTL": known fields are maxEntries, tokenReviewTtl, tokenReviewFailureTtl, allowTtl, denyTtl, maxStale',
      ],
    });
  });
});

describe("durations", () => {
  it('accept Go\'s compound form ("1m30s", "1h2m", "2s500ms") as Kubernetes and the chart write them', () => {
    const r = resolveConfig(
      {
        shutdownTimeout: "1m30s",
        routes: [{ host: "a.example.com", htpasswd: "u", allow: { authenticated: true } }],
        htpasswd: { files: [{ name: "u", path: "u" }], cache: { ttl: "1h2m" } },
        regulation: { window: "2s500ms" },
      },
      "/",
    );
    expect(r.ok && [r.value.shutdownTimeoutMs, r.value.htpasswd.cache.ttlMs, r.value.regulation?.windowMs]).toEqual([
      90_000, 3_720_000, 2_500,
    ]);
  });

  it("refuse units out of order, bare numbers and empty strings", () => {
    for (const bad of ["30s1m", "90", "", "1d"]) {
      const r = resolveConfig({ shutdownTimeout: bad, kubernetes: {} }, "/");
      expect(r.ok).toBe(false);
    }
  });
});
