import { describe, expect, it } from "vitest";
import { type IngressObject, migrateIngress } from "../../src/migrate/basic-auth.js";
import { migrationDiff } from "../../src/migrate/diff.js";

const OPTIONS = {
  authUrl: "http://rbac-gate.rbac-gate.svc.cluster.local:8080/auth?host=$host",
  responseHeaders: ["X-Auth-Request-User", "X-Auth-Request-Groups"],
  usernamePrefix: "htpasswd:",
  ingressClassName: "nginx",
  watchIngressWithoutClass: false,
  globalAuth: false,
};

/** The migration guide's "before": ingress-nginx checks the Secret basic-auth itself. */
function guideIngress(annotations: Record<string, string> = {}): IngressObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: "my-app",
      namespace: "team-a",
      labels: { app: "my-app" },
      annotations: {
        "nginx.ingress.kubernetes.io/auth-type": "basic",
        "nginx.ingress.kubernetes.io/auth-secret": "basic-auth",
        "nginx.ingress.kubernetes.io/auth-secret-type": "auth-file",
        "nginx.ingress.kubernetes.io/auth-realm": "Authentication Required",
        "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
        ...annotations,
      },
    },
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          host: "my-app.example.com",
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "my-app", port: { number: 80 } } } },
              { path: "/api", pathType: "Prefix", backend: { service: { name: "my-api", port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  };
}

describe("migrating an Ingress from ingress-nginx basic auth", () => {
  it("swaps ingress-nginx's basic-auth annotations for rbac-gate's, keeping every other annotation and the spec", () => {
    const result = migrateIngress(guideIngress(), OPTIONS);
    if (!result.ok) throw new Error(result.error);
    const { ingress } = result.value;
    expect(ingress.metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
      "nginx.ingress.kubernetes.io/auth-url": OPTIONS.authUrl,
      "nginx.ingress.kubernetes.io/auth-response-headers": "X-Auth-Request-User, X-Auth-Request-Groups, Authorization",
      "rbac-gate.io/htpasswd-secret": "basic-auth",
      "rbac-gate.io/htpasswd-secret-type": "auth-file",
      "rbac-gate.io/realm": "Authentication Required",
      "rbac-gate.io/authenticators": "basic",
      "rbac-gate.io/authorization": "service-proxy",
    });
    expect(ingress.metadata.labels).toEqual({ app: "my-app" });
    expect(ingress.spec).toEqual(guideIngress().spec);
  });

  it("lets every user of the Secret use every method of the Ingress's Services, as ingress-nginx did", () => {
    const result = migrateIngress(guideIngress(), OPTIONS);
    if (!result.ok) throw new Error(result.error);
    expect(result.value.role).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: {
        name: "rbac-gate-users-my-app",
        namespace: "team-a",
        labels: { "app.kubernetes.io/managed-by": "rbac-gate-migrate" },
      },
      rules: [{ apiGroups: [""], resources: ["services/proxy"], resourceNames: ["my-api", "my-app"], verbs: ["*"] }],
    });
    expect(result.value.roleBinding).toMatchObject({
      roleRef: { kind: "Role", name: "rbac-gate-users-my-app" },
      subjects: [{ kind: "Group", name: "htpasswd:team-a" }],
    });
  });

  it("takes the Secret's own namespace when auth-secret names it, and auth-file when no type is given", () => {
    const result = migrateIngress(
      guideIngress({
        "nginx.ingress.kubernetes.io/auth-secret": "team-a/basic-auth",
        "nginx.ingress.kubernetes.io/auth-secret-type": "",
      }),
      OPTIONS,
    );
    expect(result.ok && result.value.secret).toEqual({ name: "basic-auth", format: "auth-file" });
  });

  it.each([
    [{ "nginx.ingress.kubernetes.io/auth-type": "digest" }, "answers Basic challenges only"],
    [{ "nginx.ingress.kubernetes.io/auth-secret": "other/basic-auth" }, "in another namespace"],
    [{ "nginx.ingress.kubernetes.io/auth-secret": "" }, "auth-secret is missing"],
    [{ "nginx.ingress.kubernetes.io/auth-secret-type": "auth-json" }, "must be auth-file or auth-map"],
    [{ "nginx.ingress.kubernetes.io/auth-realm": "Zutritt für Gäste" }, "not printable ASCII"],
    [
      { "nginx.ingress.kubernetes.io/auth-url": "http://oauth2-proxy/oauth2/auth" },
      "also has nginx.ingress.kubernetes.io/auth-url",
    ],
    [{ "nginx.ingress.kubernetes.io/auth-cache-key": "$host" }, "would take effect with rbac-gate's auth-url"],
    [{ "kubernetes.io/ingress.class": "nginx-internal" }, "its class is not nginx"],
    [{ "rbac-gate.io/realm": "x" }, "rbac-gate.io/ annotations already"],
  ])("refuses to convert what it cannot keep the meaning of: %j", (annotations, reason) => {
    const result = migrateIngress(guideIngress(annotations), OPTIONS);
    expect(result.ok ? "converted" : result.error).toContain(reason);
  });

  it("refuses an Ingress of another class, and a classless one unless rbac-gate watches those", () => {
    const other = { ...guideIngress(), spec: { ...guideIngress().spec, ingressClassName: "traefik" } };
    expect(migrateIngress(other, OPTIONS).ok).toBe(false);
    const classless = { ...guideIngress(), spec: { rules: guideIngress().spec?.rules } };
    expect(migrateIngress(classless, OPTIONS).ok).toBe(false);
    expect(migrateIngress(classless, { ...OPTIONS, watchIngressWithoutClass: true }).ok).toBe(true);
  });

  it("with the controller's global-auth-url, refuses what would lose that check, unless the Ingress opted out", () => {
    const options = { ...OPTIONS, globalAuth: true };
    const result = migrateIngress(guideIngress(), options);
    expect(result.ok ? "converted" : result.error).toContain("global-auth-url applies to it");
    const optedOut = guideIngress({ "nginx.ingress.kubernetes.io/enable-global-auth": "false" });
    expect(migrateIngress(optedOut, options).ok).toBe(true);
  });

  it("takes the namespace from -n for a manifest without one, and refuses it without -n", () => {
    const { namespace: _, ...metadata } = guideIngress().metadata;
    const manifest = { ...guideIngress(), metadata };
    expect(migrateIngress(manifest, OPTIONS)).toEqual({
      ok: false,
      error: "its manifest names no namespace: give -n NAMESPACE",
    });
    const result = migrateIngress(manifest, { ...OPTIONS, namespace: "team-b" });
    expect(result.ok && result.value.roleBinding).toMatchObject({ subjects: [{ name: "htpasswd:team-b" }] });
  });

  it("refuses an Ingress whose backend is a resource, not a Service", () => {
    const ingress = guideIngress();
    const result = migrateIngress(
      {
        ...ingress,
        spec: { ingressClassName: "nginx", defaultBackend: { resource: { kind: "StorageBucket", name: "static" } } },
      },
      OPTIONS,
    );
    expect(result.ok ? "converted" : result.error).toContain("not a Service");
  });

  it("shows the change as a diff: removed, added and kept annotations, and the RBAC objects", () => {
    const before = guideIngress();
    const result = migrateIngress(before, OPTIONS);
    if (!result.ok) throw new Error(result.error);
    const diff = migrationDiff(before, result.value);
    expect(diff.slice(0, 3)).toEqual([
      "--- Ingress team-a/my-app",
      "+++ Ingress team-a/my-app (migrated)",
      " metadata.annotations:",
    ]);
    expect(diff).toContain("-  nginx.ingress.kubernetes.io/auth-type: basic");
    expect(diff).toContain("   nginx.ingress.kubernetes.io/proxy-body-size: 8m");
    expect(diff).toContain("+  rbac-gate.io/htpasswd-secret: basic-auth");
    expect(diff.at(-1)).toBe("+RoleBinding team-a/rbac-gate-users-my-app: to group htpasswd:team-a");
  });

  it("shows a value with a newline or a terminal escape quoted, on its line", () => {
    const before = guideIngress({ "example.com/note": "fine\n+  rbac-gate.io/forged: yes\u001b[2K" });
    const result = migrateIngress(before, OPTIONS);
    if (!result.ok) throw new Error(result.error);
    const diff = migrationDiff(before, result.value);
    expect(diff).toContain('   example.com/note: "fine\\n+  rbac-gate.io/forged: yes\\u001b[2K"');
    expect(diff.some((line) => line.startsWith("+  rbac-gate.io/forged"))).toBe(false);
  });
});
