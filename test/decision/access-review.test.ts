import { describe, expect, it } from "vitest";
import { accessReviewFor } from "../../src/decision/access-review.js";
import type { Route, RouteAuthorization } from "../../src/routing/routes.js";

const user = { username: "system:serviceaccount:default:consumer", uid: "u-1", groups: ["system:authenticated"] };
const route = (authorization: RouteAuthorization, extra: Partial<Route> = {}): Route => ({
  source: "ingress default/hello-app",
  host: "hello.example.test",
  path: "/",
  pathType: "Prefix",
  authenticators: ["bearer"],
  realm: "r",
  authorization,
  namespace: "default",
  objectName: "hello-app",
  service: "hello-app",
  ...extra,
});
const request = { method: "HEAD", host: "app.example.com", path: "/metrics" };

describe("accessReviewFor", () => {
  it("host-path: asks about the non-resource URL /<host><path> with the kube-apiserver verb", () => {
    const spec = accessReviewFor(user, request, route({ kind: "subject-access-review", mapping: "host-path" }));
    expect(spec).toEqual({
      ok: true,
      value: {
        user: user.username,
        uid: "u-1",
        groups: ["system:authenticated"],
        nonResourceAttributes: { path: "/app.example.com/metrics", verb: "get" },
      },
    });
  });

  it("service-proxy: asks about services/proxy of the route's backend Service in the route's namespace", () => {
    const spec = accessReviewFor(
      user,
      { ...request, method: "POST" },
      route({ kind: "subject-access-review", mapping: "service-proxy" }),
    );
    expect(spec.ok && spec.value.resourceAttributes).toEqual({
      namespace: "default",
      verb: "create",
      resource: "services",
      subresource: "proxy",
      name: "hello-app",
    });
  });

  it("service-proxy: refuses a route without a backend Service", () => {
    const spec = accessReviewFor(
      user,
      request,
      route({ kind: "subject-access-review", mapping: "service-proxy" }, { service: undefined }),
    );
    expect(spec).toEqual({ ok: false, error: "service-proxy authorization needs a route with a backend Service" });
  });

  it("template: fills placeholders once, without expanding placeholders that arrive inside values", () => {
    const spec = accessReviewFor(
      user,
      { method: "DELETE", host: "h.example.com", path: "/items/{namespace}" },
      route({
        kind: "subject-access-review",
        mapping: "template",
        template: {
          resourceAttributes: {
            namespace: "{namespace}",
            group: "apps.example.com",
            resource: "items",
            name: "{host}{path}",
            subresource: "{method}-{ingress}-{service}",
          },
        },
      }),
    );
    expect(spec.ok && spec.value.resourceAttributes).toEqual({
      verb: "delete",
      namespace: "default",
      group: "apps.example.com",
      resource: "items",
      name: "h.example.com/items/{namespace}",
      subresource: "DELETE-hello-app-hello-app",
    });
  });

  it("passes extra and uid of the identity unchanged", () => {
    const spec = accessReviewFor(
      { ...user, extra: { "authentication.kubernetes.io/pod-name": ["p"] } },
      request,
      route({ kind: "subject-access-review", mapping: "host-path" }),
    );
    expect(spec.ok && spec.value.extra).toEqual({ "authentication.kubernetes.io/pod-name": ["p"] });
  });
});
