/**
 * `rbac-gate migrate --diff`: what applying the output would change, without the objects: per Ingress the
 * annotations removed (-), added (+) and kept ( ), then the RBAC objects created. Pure.
 */
import type { IngressObject, Migrated } from "./basic-auth.js";

export function migrationDiff(before: IngressObject, after: Migrated): string[] {
  const { name } = before.metadata;
  const namespace = before.metadata.namespace ?? "default";
  const old = before.metadata.annotations ?? {};
  const next = after.ingress.metadata.annotations ?? {};
  const lines = [
    `--- Ingress ${namespace}/${name}`,
    `+++ Ingress ${namespace}/${name} (migrated)`,
    " metadata.annotations:",
  ];
  for (const key of Object.keys(old).sort()) {
    if (next[key] === old[key]) lines.push(`   ${key}: ${old[key]}`);
    else lines.push(`-  ${key}: ${old[key]}`);
  }
  for (const key of Object.keys(next).sort()) {
    if (old[key] !== next[key]) lines.push(`+  ${key}: ${next[key]}`);
  }
  const binding = after.roleBinding as { subjects: Array<{ name: string }> };
  lines.push(
    `+Role ${namespace}/rbac-gate-users-${name}: every verb on services/proxy of ${after.services.join(", ")}`,
    `+RoleBinding ${namespace}/rbac-gate-users-${name}: to group ${binding.subjects[0]?.name}`,
  );
  return lines;
}
