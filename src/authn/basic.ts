/**
 * Basic credentials checked against the route's htpasswd source. The source decides the identity a verified user
 * gets (a prefixed name, so a password user called "system:admin" never acts as the cluster's).
 *
 * A password longer than maxPasswordBytes is refused before anything else (SHA-crypt's work grows with its
 * length). A name the source does not have costs the same as a wrong password: its password is checked against a
 * fixed bcrypt hash of the usual cost, through the same regulation and pool, so timing does not tell which names
 * exist. The check (cache, regulation, hash pool) is a CredentialCheck chain built by the composition root.
 */

import { clientKey } from "../request/client-address.js";
import { type Authenticator, NO_OPINION } from "./authenticator.js";
import type { CredentialCheck } from "./htpasswd/check.js";
import type { HtpasswdEntry } from "./htpasswd/parse.js";
import type { HtpasswdStore } from "./htpasswd/store.js";

export interface BasicAuthenticatorDeps {
  readonly store: HtpasswdStore;
  readonly check: CredentialCheck;
  readonly maxPasswordBytes: number;
}

/**
 * bcrypt cost 10 (the cost most tools default to) of a random password nobody knows, made with
 * `htpasswd -nbB -C 10 x "$(openssl rand -hex 24)"`.
 */
const DUMMY_HASH = "$2y$10$/CW1tTJpEJGCw6RaYGPqcuDtrqfF8jx3OoQE5gEJp07LyQf5fFLX6";

export function createBasicAuthenticator(deps: BasicAuthenticatorDeps): Authenticator {
  return {
    kind: "basic",
    async authenticate(credentials, route, request) {
      if (credentials.kind !== "basic") return NO_OPINION;
      const { username, password } = credentials;
      // The UTF-16 length bounds the UTF-8 length from below: count bytes only when it could matter.
      if (password.length > deps.maxPasswordBytes || Buffer.byteLength(password) > deps.maxPasswordBytes) {
        return { kind: "rejected", reason: "password longer than htpasswd.limits.maxPasswordBytes" };
      }
      const source = route.htpasswd === undefined ? undefined : deps.store.lookup(route.htpasswd);
      if (route.htpasswd === undefined || source === undefined)
        return { kind: "rejected", reason: "no htpasswd users" };
      const found = source.users.get(username);
      const entry: HtpasswdEntry = found ?? { username, hash: DUMMY_HASH, scheme: "bcrypt" };
      const attempt = {
        source: route.htpasswd,
        username,
        known: found !== undefined,
        ...(request.clientAddress === undefined ? {} : { address: clientKey(request.clientAddress) }),
      };
      const result = await deps.check(password, entry, attempt);
      if (result.kind === "locked") {
        return { kind: "rejected", code: "locked_out", reason: `too many failed attempts (${result.lock} locked out)` };
      }
      if (!found) return { kind: "rejected", reason: "unknown user" };
      if (result.kind !== "verified") return { kind: "rejected", reason: "wrong password" };
      return { kind: "authenticated", user: source.identity(username) };
    },
  };
}
