/**
 * From a verified ServiceAccount token's claims to the UserInfo kube-apiserver gives the same token
 * (k8s.io/kubernetes pkg/serviceaccount/claims.go and k8s.io/apiserver's ServiceAccountInfo.UserInfo, v1.36).
 * Pure: the signature, "iss", "aud" and times are checked before this.
 *
 * - username "system:serviceaccount:<namespace>:<name>", uid the ServiceAccount's uid;
 * - groups "system:serviceaccounts", "system:serviceaccounts:<namespace>" and "system:authenticated" (the
 *   apiserver's AuthenticatedGroupAdder);
 * - extra: pod-name and pod-uid for a Pod-bound token, credential-id "JTI=<jti>" when the token has a "jti",
 *   node-name (and node-uid when present) when it names a node.
 *
 * What claims cannot tell (that the ServiceAccount, Pod, Secret or Node still exists with that uid) only the
 * apiserver knows: authn/service-account-tokens.ts confirms it with a TokenReview.
 */
import { fail, ok, type Result } from "../../vocabulary/result.js";
import type { UserInfo } from "../../vocabulary/types.js";
import type { Claims } from "./claims.js";

const EXTRA = "authentication.kubernetes.io/";

/** A { name, uid } reference in the "kubernetes.io" claim: both non-empty strings, or a reason. */
function reference(value: unknown, what: string): Result<{ name: string; uid: string } | undefined> {
  if (value === undefined) return ok(undefined);
  const { name, uid } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof name !== "string" || name === "" || typeof uid !== "string" || uid === "") {
    return fail(`token's ${what} reference has no name and uid`);
  }
  return ok({ name, uid });
}

export function serviceAccountUser(claims: Claims): Result<UserInfo> {
  const k = claims["kubernetes.io"];
  if (typeof k !== "object" || k === null) return fail('token has no "kubernetes.io" claim');
  const { namespace, serviceaccount, pod, node } = k as Record<string, unknown>;
  if (typeof namespace !== "string" || namespace === "") return fail("token names no namespace");
  const sa = reference(serviceaccount, "serviceaccount");
  if (!sa.ok) return sa;
  if (!sa.value) return fail("token names no serviceaccount");
  const podRef = reference(pod, "pod");
  if (!podRef.ok) return podRef;
  const nodeName = typeof node === "object" && node !== null ? (node as { name?: unknown }).name : undefined;
  const nodeUid = typeof node === "object" && node !== null ? (node as { uid?: unknown }).uid : undefined;
  const extra: Record<string, string[]> = {};
  if (podRef.value) {
    extra[`${EXTRA}pod-name`] = [podRef.value.name];
    extra[`${EXTRA}pod-uid`] = [podRef.value.uid];
  }
  if (typeof claims.jti === "string" && claims.jti !== "") extra[`${EXTRA}credential-id`] = [`JTI=${claims.jti}`];
  if (typeof nodeName === "string" && nodeName !== "") {
    extra[`${EXTRA}node-name`] = [nodeName];
    if (typeof nodeUid === "string" && nodeUid !== "") extra[`${EXTRA}node-uid`] = [nodeUid];
  }
  return ok({
    username: `system:serviceaccount:${namespace}:${sa.value.name}`,
    uid: sa.value.uid,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
    ...(Object.keys(extra).length === 0 ? {} : { extra }),
  });
}
