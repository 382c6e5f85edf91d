import { describe, expect, it } from "vitest";
import { serviceAccountUser } from "../../../src/authn/jwt/service-account-claims.js";

/** Claims as kube-apiserver v1.36's TokenRequest writes them. */
const claims = (kubernetes: object, more: object = {}) => ({
  iss: "https://kubernetes.default.svc.cluster.local",
  sub: "system:serviceaccount:team-a:builder",
  "kubernetes.io": kubernetes,
  ...more,
});
const SA = { namespace: "team-a", serviceaccount: { name: "builder", uid: "sa-uid" } };
const GROUPS = ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"];

describe("a ServiceAccount token's claims mapped as the apiserver maps them", () => {
  it("names system:serviceaccount:<namespace>:<name> with the ServiceAccount's uid and its two groups", () => {
    expect(serviceAccountUser(claims(SA))).toEqual({
      ok: true,
      value: { username: "system:serviceaccount:team-a:builder", uid: "sa-uid", groups: GROUPS },
    });
  });

  it("carries the bound pod, the credential id and the node in extra, as the SubjectAccessReview sees them", () => {
    const bound = {
      ...SA,
      pod: { name: "web-0", uid: "pod-uid" },
      node: { name: "node-1", uid: "node-uid" },
    };
    expect(serviceAccountUser(claims(bound, { jti: "abc" }))).toEqual({
      ok: true,
      value: {
        username: "system:serviceaccount:team-a:builder",
        uid: "sa-uid",
        groups: GROUPS,
        extra: {
          "authentication.kubernetes.io/pod-name": ["web-0"],
          "authentication.kubernetes.io/pod-uid": ["pod-uid"],
          "authentication.kubernetes.io/credential-id": ["JTI=abc"],
          "authentication.kubernetes.io/node-name": ["node-1"],
          "authentication.kubernetes.io/node-uid": ["node-uid"],
        },
      },
    });
  });

  it("gives node-name alone when the node reference has no uid", () => {
    const user = serviceAccountUser(claims({ ...SA, node: { name: "node-1" } }));
    expect(user.ok && user.value.extra).toEqual({ "authentication.kubernetes.io/node-name": ["node-1"] });
  });

  it.each([
    ["no kubernetes.io claim", {}, 'token has no "kubernetes.io" claim'],
    ["no namespace", { serviceaccount: SA.serviceaccount }, "token names no namespace"],
    ["no serviceaccount", { namespace: "team-a" }, "token names no serviceaccount"],
    [
      "a serviceaccount without uid",
      { namespace: "team-a", serviceaccount: { name: "builder" } },
      "token's serviceaccount reference has no name and uid",
    ],
    ["a pod without uid", { ...SA, pod: { name: "web-0" } }, "token's pod reference has no name and uid"],
  ])("refuses a token with %s", (_, kubernetes, reason) => {
    const input = Object.keys(kubernetes).length === 0 ? { iss: "x" } : claims(kubernetes);
    expect(serviceAccountUser(input)).toEqual({ ok: false, error: reason });
  });
});
