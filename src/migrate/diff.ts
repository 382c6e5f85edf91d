/**
 * `rbac-gate migrate --diff`: what applying the output would change, without the objects: per Ingress the
 * annotations removed (-), added (+) and kept ( ), then the RBAC objects created. Pure.
 */
import type { IngressObject, Migrated } from "./basic-auth.js";

/**
 * A key or value as one printable line: tenants write annotations, and a newline or terminal escape in one must
 * not fake or hide a line of the diff on the admin's terminal. Plain printable text is shown as it is.
 */
const show = (text: string | undefined) =>
  text !== undefined && /^[\x20-\x7e]*$/.test(text) ? text : JSON.stringify(text);

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
    if (next[key] === old[key]) lines.push(`   ${show(key)}: ${show(old[key])}`);
    else lines.push(`-  ${show(key)}: ${show(old[key])}`);
  }
  for (const key of Object.keys(next).sort()) {
    if (old[key] !== next[key]) lines.push(`+  ${show(key)}: ${show(next[key])}`);
  }
  const binding = after.roleBinding as { subjects: Array<{ name: string }> };
  lines.push(
    `+Role ${namespace}/rbac-gate-users-${name}: every verb on services/proxy of ${after.services.join(", ")}`,
    `+RoleBinding ${namespace}/rbac-gate-users-${name}: to group ${binding.subjects[0]?.name}`,
  );
  return lines;
}
