/**
 * Basic credentials checked against the route's htpasswd source. The source decides the identity a verified user
 * gets (a prefixed name, so a password user called "system:admin" never acts as the cluster's). With a regulator,
 * failures count per user and client address, and a locked user or address is refused before any hash is computed.
 */
import type { Credentials } from "../core/credentials.js";
import type { Authenticator } from "./authenticator.js";
import type { HtpasswdStore } from "./htpasswd/store.js";
import type { PasswordCheck } from "./htpasswd/verify.js";
import type { Regulator } from "./regulation.js";

type BasicCredentials = Extract<Credentials, { kind: "basic" }>;

export interface BasicAuthenticatorDeps {
  readonly store: HtpasswdStore;
  readonly check: PasswordCheck;
  readonly regulator?: Regulator;
}

export function createBasicAuthenticator(deps: BasicAuthenticatorDeps): Authenticator<BasicCredentials> {
  return {
    async authenticate({ username, password }, route, request) {
      const { regulator } = deps;
      const key = `${route.htpasswd ?? ""}\u0000${username}`;
      const address = request.clientAddress;
      const lock = regulator?.locked(key, address);
      if (lock)
        return { kind: "rejected", code: "locked_out", reason: `too many failed attempts (${lock} locked out)` };
      const source = route.htpasswd === undefined ? undefined : deps.store.lookup(route.htpasswd);
      if (source === undefined) return { kind: "rejected", reason: "no htpasswd users" };
      const entry = source.users.get(username);
      if (entry === undefined) {
        // Counted against the address only: a spray of invented names must not fill memory with per-name
        // counters, and locking a name nobody has protects no one.
        regulator?.failed(undefined, address);
        return { kind: "rejected", reason: "unknown user" };
      }
      if (!(await deps.check(password, entry))) {
        regulator?.failed(key, address);
        return { kind: "rejected", reason: "wrong password" };
      }
      regulator?.succeeded(key);
      return { kind: "authenticated", user: source.identity(username) };
    },
  };
}
