/**
 * A certificate's subject → the user it names, as the kube-apiserver's x509 authenticator maps it: the common name
 * is the username, each organization a group (organizational units and the rest are ignored). Pure.
 *
 * The input is node:crypto's X509Certificate.subject: one RDN per line, "type=value", RFC 2253 escapes ("\,",
 * "\+", "\0A"...) for special characters, the attributes of a multi-valued RDN joined by " + ". Anything that
 * cannot be read one way only is refused rather than guessed: an escaped value, a multi-valued RDN, more than one
 * common name, an empty value.
 */
import { fail, ok, type Result } from "../vocabulary/result.js";

export interface SubjectUser {
  readonly username: string;
  readonly groups: readonly string[];
}

const LINE = /^([A-Za-z][A-Za-z0-9.-]*)=(.*)$/;

export function userFromSubject(subject: string): Result<SubjectUser, string> {
  const names: string[] = [];
  const groups: string[] = [];
  for (const line of subject.split("\n")) {
    if (line === "") continue;
    const m = LINE.exec(line);
    if (!m) return fail("the certificate's subject cannot be read");
    const [, type, value] = m as unknown as [string, string, string];
    if (value.includes("\\")) return fail("the certificate's subject has escaped characters");
    if (value.includes(" + ")) return fail("the certificate's subject has a multi-valued RDN");
    if (value === "") return fail(`the certificate's subject has an empty ${type}`);
    if (type === "CN") names.push(value);
    else if (type === "O") groups.push(value);
  }
  if (names.length === 0) return fail("the certificate's subject has no common name (CN)");
  if (names.length > 1) return fail("the certificate's subject has more than one common name (CN)");
  return ok({ username: names[0] as string, groups });
}
