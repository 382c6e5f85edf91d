/** Small readers shared by the AuthenticationConfiguration's sections (authentication-config.ts). Pure. */
import { X509Certificate } from "node:crypto";

export const CEL = "it is a CEL expression, which rbac-gate does not evaluate";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Records `<where> has <value>: <rule>`. */
export type Bad = (where: string, value: unknown, rule: string) => void;

export function unknownFields(o: Obj, where: string, known: readonly string[], problems: string[]): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) problems.push(`${where}${key} is unknown: known fields are ${known.join(", ")}`);
  }
}

export /** An https URL without user, query or fragment, as the apiserver requires of issuer.url and discoveryURL. */
function httpsUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return (
      url.protocol === "https:" &&
      url.username === "" &&
      url.password === "" &&
      !value.includes("?") &&
      !value.includes("#")
    );
  } catch {
    return false;
  }
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function isCertificateBundle(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const blocks = value.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return false;
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}
