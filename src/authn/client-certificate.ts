/**
 * Client certificates (kind "client-certificate"), verified as the kube-apiserver's --client-ca-file does it and
 * mapped to a user by certificate-subject.ts. The certificate comes from the proxy that verified the TLS handshake
 * (src/request/client-certificate.ts); rbac-gate checks it again, against its own bundle, because a header proves
 * only that some proxy (or client) wrote it.
 *
 * Accepted: the leaf, the first certificate of the chain, issued directly by a CA of the bundle (issuer name and
 * signature), both within their validity period now, and, when the leaf has an extended key usage extension, one
 * that allows client authentication (Go's x509 verification, which kube-apiserver uses, treats a certificate
 * without the extension as usable for anything). Further certificates in the header are ignored: intermediates
 * must be in the bundle. Not checked: revocation, which the kube-apiserver does not check either.
 */
import { X509Certificate } from "node:crypto";
import type { UserInfo } from "../vocabulary/types.js";
import { type Authenticator, NO_OPINION } from "./authenticator.js";
import { userFromSubject } from "./certificate-subject.js";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
/** The kube-apiserver adds this group to every authenticated user; the SubjectAccessReview sees it the same way. */
const AUTHENTICATED = "system:authenticated";

export interface ClientCertificateOptions {
  /** The CAs whose certificates are accepted; each a CA (basicConstraints CA:TRUE), checked when loaded. */
  readonly authorities: readonly X509Certificate[];
  readonly now?: () => number;
}

const within = (cert: X509Certificate, now: number) =>
  cert.validFromDate.getTime() <= now && now <= cert.validToDate.getTime();

/** Whether the leaf may be used to authenticate a client, or why not. */
export function verifyLeaf(
  leaf: X509Certificate,
  authorities: readonly X509Certificate[],
  now: number,
): string | undefined {
  const issuers = authorities.filter((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  if (issuers.length === 0) return "the certificate is not issued by a trusted CA";
  if (!issuers.some((ca) => within(ca, now))) return "the certificate's CA is expired or not yet valid";
  if (now < leaf.validFromDate.getTime()) return "the certificate is not yet valid";
  if (now > leaf.validToDate.getTime()) return "the certificate is expired";
  const usage = leaf.keyUsage;
  if (usage !== undefined && !usage.includes(CLIENT_AUTH) && !usage.includes(ANY_EXTENDED_KEY_USAGE)) {
    return "the certificate's extended key usage does not allow client authentication";
  }
  return undefined;
}

export function createClientCertificateAuthenticator(options: ClientCertificateOptions): Authenticator {
  const now = options.now ?? Date.now;
  return {
    kind: "client-certificate",
    async authenticate(credentials) {
      if (credentials.kind !== "client-certificate") return NO_OPINION;
      let leaf: X509Certificate;
      try {
        leaf = new X509Certificate(credentials.chain[0] ?? "");
      } catch {
        return { kind: "rejected", reason: "the client certificate cannot be parsed" };
      }
      const problem = verifyLeaf(leaf, options.authorities, now());
      if (problem !== undefined) return { kind: "rejected", reason: problem };
      const subject = userFromSubject(leaf.subject);
      if (!subject.ok) return { kind: "rejected", reason: subject.error };
      const { username, groups } = subject.value;
      const user: UserInfo = {
        username,
        groups: groups.includes(AUTHENTICATED) ? groups : [...groups, AUTHENTICATED],
      };
      return { kind: "authenticated", user };
    },
  };
}

/** Stands in when no CA bundle is configured: a route that lists client certificates is told why it cannot. */
export const UNCONFIGURED_CLIENT_CERTIFICATES: Authenticator = Object.freeze({
  kind: "client-certificate" as const,
  async authenticate(credentials: Parameters<Authenticator["authenticate"]>[0]) {
    if (credentials.kind !== "client-certificate") return NO_OPINION;
    return {
      kind: "rejected" as const,
      reason: "client certificates are not accepted: no CA bundle is configured (clientCertificates.caFile)",
    };
  },
});
