import type { V1ObjectMeta } from "@kubernetes/client-node";

/** The metadata the decision core reads of a routing object (Ingress, HTTPRoute), as plain values. */
export function placeOf(meta: V1ObjectMeta = {}): {
  namespace: string;
  name: string;
  creationTimestamp?: string;
  annotations: Record<string, string>;
} {
  // Typed a Date by client-node; a string when the object came through the untyped custom-objects API.
  const created = meta.creationTimestamp as unknown;
  return {
    namespace: meta.namespace ?? "",
    name: meta.name ?? "",
    ...(created === undefined
      ? {}
      : { creationTimestamp: created instanceof Date ? created.toISOString() : String(created) }),
    annotations: meta.annotations ?? {},
  };
}
