/**
 * ServiceAccount tokens that expire in seconds. TokenRequest refuses lifetimes under 10 minutes, so tests that need a
 * token to expire while they run sign one themselves with the control plane's ServiceAccount signing key, with the
 * claims TokenRequest puts in a token bound to nothing but the ServiceAccount. The apiserver accepts it as its own.
 * `signWith` forges one: the same header (the apiserver key's id) and claims, signed with another key.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ControlPlane } from "./control-plane.js";
import type { Kube } from "./kube.js";

export async function createShortLivedToken(
  plane: ControlPlane,
  kube: Kube,
  namespace: string,
  serviceAccount: string,
  lifetimeSeconds: number,
  signWith?: KeyObject,
): Promise<{ token: string; expiresAt: number }> {
  const account = await kube.core.readNamespacedServiceAccount({ namespace, name: serviceAccount });
  const key = createPrivateKey(readFileSync(join(plane.dir, "sa.key")));
  // The key id the apiserver gives its signing key: SHA-256 of the public key's DER, unpadded base64url.
  const kid = createHash("sha256")
    .update(createPublicKey(key).export({ type: "spki", format: "der" }))
    .digest("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: [plane.issuer],
    exp: now + lifetimeSeconds,
    iat: now,
    nbf: now,
    iss: plane.issuer,
    jti: randomUUID(),
    sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
    "kubernetes.io": { namespace, serviceaccount: { name: serviceAccount, uid: account.metadata?.uid } },
  };
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const signingInput = `${part({ alg: "RS256", kid })}.${part(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput), signWith ?? key).toString("base64url");
  return { token: `${signingInput}.${signature}`, expiresAt: (now + lifetimeSeconds) * 1000 };
}
