import { describe, expect, it } from "vitest";
import { type IngressDefaults, readIngressAnnotations } from "../../src/routing/route-annotations.js";

const defaults: IngressDefaults = { realm: "rbac-gate", mapping: "host-path", audiences: [] };
const read = (annotations: Record<string, string>, d = defaults) => readIngressAnnotations("team-a", annotations, d);

describe("readIngressAnnotations", () => {
  it("defaults to bearer tokens and the configured mapping", () => {
    expect(read({})).toEqual({
      allowPathParameters: false,
      authenticators: ["bearer"],
      realm: "rbac-gate",
      authorization: { kind: "subject-access-review", mapping: "host-path" },
      problems: [],
    });
  });

  it("offers basic then bearer with an htpasswd Secret, always in the Ingress's own namespace", () => {
    const settings = read({ "rbac-gate.io/htpasswd-secret": "users", "rbac-gate.io/realm": "Team A" });
    expect(settings.authenticators).toEqual(["basic", "bearer"]);
    expect(settings.htpasswd).toBe("secret:auth-file:team-a/users");
    expect(settings.realm).toBe("Team A");
    expect(
      read({ "rbac-gate.io/htpasswd-secret": "users", "rbac-gate.io/htpasswd-secret-type": "auth-map" }).htpasswd,
    ).toBe("secret:auth-map:team-a/users");
  });

  it("refuses a Secret in another namespace, whatever the annotation says", () => {
    const settings = read({ "rbac-gate.io/htpasswd-secret": "team-b/users" });
    expect(settings.htpasswd).toBeUndefined();
    expect(settings.problems).toEqual([
      'annotation rbac-gate.io/htpasswd-secret has "team-b/users": it must be the name of a Secret in the Ingress\'s namespace',
    ]);
  });

  it("reads a template and refuses unknown fields and placeholders", () => {
    const ok = read({
      "rbac-gate.io/authorization": "template",
      "rbac-gate.io/resource-attributes": '{"resource":"widgets","group":"example.com","name":"{path}"}',
    });
    expect(ok.authorization).toEqual({
      kind: "subject-access-review",
      mapping: "template",
      template: { resourceAttributes: { resource: "widgets", group: "example.com", name: "{path}" } },
    });
    expect(
      read({ "rbac-gate.io/authorization": "template", "rbac-gate.io/resource-attributes": '{"resource":"{user}"}' })
        .problems,
    ).toEqual([
      'annotation rbac-gate.io/resource-attributes has "{\\"resource\\":\\"{user}\\"}": placeholder {user} is not one of {host} {path} {method} {verb} {namespace} {service} {ingress}',
    ]);
    expect(
      read({ "rbac-gate.io/authorization": "template", "rbac-gate.io/non-resource-attributes": '{"verb":"get"}' })
        .problems,
    ).toEqual([
      'annotation rbac-gate.io/non-resource-attributes has "{\\"verb\\":\\"get\\"}": field "path" is required',
    ]);
  });

  it("lets audiences only narrow the configured ones", () => {
    const d = { ...defaults, audiences: ["a", "b"] };
    expect(read({ "rbac-gate.io/audiences": "a" }, d)).toMatchObject({ audiences: ["a"], problems: [] });
    expect(read({ "rbac-gate.io/audiences": "a, c" }, d).problems).toEqual([
      'annotation rbac-gate.io/audiences has "a, c": it may only narrow the configured audiences (a, b)',
    ]);
  });

  it("reports unknown annotations of its prefix, basic without a Secret, and bad lists", () => {
    expect(
      read({
        "rbac-gate.io/authenticator": "basic",
        "rbac-gate.io/authenticators": "basic",
        "other.io/x": "ignored",
      }).problems,
    ).toEqual([
      "annotation rbac-gate.io/authenticator is unknown: known annotations are authenticators, htpasswd-secret, htpasswd-secret-type, authorization, resource-attributes, non-resource-attributes, realm, audiences, path-parameters",
      'annotation rbac-gate.io/authenticators has "basic": it needs rbac-gate.io/htpasswd-secret',
    ]);
    expect(read({ "rbac-gate.io/authenticators": "bearer,bearer" }).problems).toEqual([
      'annotation rbac-gate.io/authenticators has "bearer,bearer": it must list some of "basic", "bearer", "client-certificate", once each ("oidc" needs kubernetes.authenticationConfig)',
    ]);
    expect(read({ "rbac-gate.io/authenticators": "oidc" }).problems).toEqual([
      'annotation rbac-gate.io/authenticators has "oidc": it must list some of "basic", "bearer", "client-certificate", once each ("oidc" needs kubernetes.authenticationConfig)',
    ]);
  });

  it("asks the configured OIDC issuers before TokenReview by default, and takes oidc alone when listed", () => {
    const d = { ...defaults, oidc: true };
    expect(read({}, d)).toMatchObject({ authenticators: ["oidc", "bearer"], problems: [] });
    expect(read({ "rbac-gate.io/htpasswd-secret": "users" }, d)).toMatchObject({
      authenticators: ["basic", "oidc", "bearer"],
    });
    expect(read({ "rbac-gate.io/authenticators": "oidc" }, d)).toMatchObject({
      authenticators: ["oidc"],
      problems: [],
    });
    expect(read({ "rbac-gate.io/authenticators": "bearer, oidc" }, d)).toMatchObject({
      authenticators: ["bearer", "oidc"],
      problems: [],
    });
  });
});
