import { describe, expect, it } from "vitest";
import { type AccessReviewer, createSubjectAccessReviewAuthorizer } from "../../src/authz/subject-access-review.js";
import { BoundedCache } from "../../src/cache/bounded-cache.js";
import { createSecretKeyer } from "../../src/cache/secret-key.js";
import type { SubjectAccessReviewSpec } from "../../src/decision/access-review.js";
import type { Route } from "../../src/routing/routes.js";

const route: Route = {
  source: "ingress default/hello-app",
  host: "hello.example.test",
  path: "/",
  pathType: "Prefix",
  authenticators: ["bearer"],
  realm: "r",
  authorization: { kind: "subject-access-review", mapping: "service-proxy" },
  namespace: "default",
  service: "hello-app",
};
const user = { username: "system:serviceaccount:default:consumer", groups: ["system:authenticated"] };
const get = { method: "GET", host: "hello.example.test", path: "/" };

function setup(review: AccessReviewer, maxStaleMs = 0) {
  let now = 0;
  const specs: SubjectAccessReviewSpec[] = [];
  const sources: string[] = [];
  const authorizer = createSubjectAccessReviewAuthorizer({
    review: async (spec) => {
      specs.push(spec);
      return review(spec);
    },
    cache: new BoundedCache({ maxEntries: 100, ttlMs: 300_000, maxStaleMs, now: () => now }),
    key: createSecretKeyer(),
    allowTtlMs: 300_000,
    denyTtlMs: 30_000,
    onSource: (source) => sources.push(source),
  });
  return { authorizer, specs, sources, advance: (ms: number) => (now += ms) };
}

describe("SubjectAccessReview authorizer", () => {
  it("passes the request's client address to the review, for fairness between addresses", async () => {
    const clients: Array<string | undefined> = [];
    const authorizer = createSubjectAccessReviewAuthorizer({
      review: async (_spec, client) => {
        clients.push(client);
        return { allowed: true };
      },
      cache: new BoundedCache({ maxEntries: 100, ttlMs: 300_000 }),
      key: createSecretKeyer(),
      allowTtlMs: 300_000,
      denyTtlMs: 30_000,
    });
    await authorizer.authorize(user, { ...get, clientAddress: "192.0.2.7" }, route);
    expect(clients).toEqual(["192.0.2.7"]);
  });

  it("allows what the apiserver allows and caches an allow for 5 minutes", async () => {
    const t = setup(async () => ({ allowed: true }));
    expect(await t.authorizer.authorize(user, get, route)).toEqual({
      kind: "allow",
      trace: {
        resourceAttributes: {
          namespace: "default",
          verb: "get",
          resource: "services",
          subresource: "proxy",
          name: "hello-app",
        },
        cache: "miss",
      },
    });
    t.advance(299_000);
    await t.authorizer.authorize(user, get, route);
    expect(t.specs).toHaveLength(1);
    expect(t.sources).toEqual(["miss", "hit"]);
  });

  it("denies with user, verb and resource named, and caches a denial for only 30 s", async () => {
    const t = setup(async () => ({ allowed: false, reason: "no RBAC policy matched" }));
    expect(await t.authorizer.authorize(user, { ...get, method: "POST" }, route)).toMatchObject({
      kind: "deny",
      reason:
        "user=system:serviceaccount:default:consumer verb=create resource=services/proxy name=hello-app namespace=default (no RBAC policy matched)",
    });
    t.advance(30_001);
    await t.authorizer.authorize(user, { ...get, method: "POST" }, route);
    expect(t.specs).toHaveLength(2);
  });

  it("treats an answer that both allows and denies as a denial", async () => {
    const t = setup(async () => ({ allowed: true, denied: true }));
    expect((await t.authorizer.authorize(user, get, route)).kind).toBe("deny");
  });

  it("asks separately for each verb, path and user (the spec is the key)", async () => {
    const t = setup(async () => ({ allowed: true }));
    await t.authorizer.authorize(user, get, route);
    await t.authorizer.authorize(user, { ...get, method: "DELETE" }, route);
    await t.authorizer.authorize({ ...user, username: "other" }, get, route);
    await t.authorizer.authorize({ ...user, groups: ["system:masters"] }, get, route);
    expect(t.specs).toHaveLength(4);
  });

  it("coalesces concurrent identical reviews into one apiserver call", async () => {
    const t = setup(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { allowed: true };
    });
    await Promise.all(Array.from({ length: 200 }, () => t.authorizer.authorize(user, get, route)));
    expect(t.specs).toHaveLength(1);
  });

  it("answers the last decision for the same key while the apiserver is down, within the maximum staleness", async () => {
    let down = false;
    const t = setup(async () => {
      if (down) throw new Error("connect ECONNREFUSED");
      return { allowed: false };
    }, 60_000);
    expect((await t.authorizer.authorize(user, get, route)).kind).toBe("deny");
    down = true;
    t.advance(40_000);
    expect((await t.authorizer.authorize(user, get, route)).kind).toBe("deny");
    await expect(t.authorizer.authorize(user, { ...get, method: "PUT" }, route)).rejects.toThrow("ECONNREFUSED");
    t.advance(60_000);
    await expect(t.authorizer.authorize(user, get, route)).rejects.toThrow("ECONNREFUSED");
    expect(t.sources).toContain("stale");
  });
});
