/**
 * Basic credentials checked against the route's htpasswd source. The source decides the identity a verified user
 * gets (a prefixed name, so a password user called "system:admin" never acts as the cluster's).
 */
import type { Credentials } from "../core/credentials.js";
import type { Authenticator } from "./authenticator.js";
import type { HtpasswdStore } from "./htpasswd/store.js";
import type { PasswordCheck } from "./htpasswd/verify.js";

type BasicCredentials = Extract<Credentials, { kind: "basic" }>;

export interface BasicAuthenticatorDeps {
  readonly store: HtpasswdStore;
  readonly check: PasswordCheck;
}

export function createBasicAuthenticator(deps: BasicAuthenticatorDeps): Authenticator<BasicCredentials> {
  return {
    async authenticate({ username, password }, route) {
      const source = route.htpasswd === undefined ? undefined : deps.store.lookup(route.htpasswd);
      if (source === undefined) return { kind: "rejected", reason: "no htpasswd users" };
      const entry = source.users.get(username);
      if (entry === undefined) return { kind: "rejected", reason: "unknown user" };
      if (!(await deps.check(password, entry))) return { kind: "rejected", reason: "wrong password" };
      return { kind: "authenticated", user: source.identity(username) };
    },
  };
}
