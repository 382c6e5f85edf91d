/**
 * Basic credentials checked against the route's htpasswd source.
 *
 * An htpasswd user is not a cluster identity: its name gets the source's prefix (so a password user called
 * "system:admin" never acts as the cluster's) and the source's static groups.
 */
import type { Credentials } from "../core/credentials.js";
import type { UserInfo } from "../core/types.js";
import type { Authenticator } from "./authenticator.js";
import type { HtpasswdStore } from "./htpasswd/store.js";
import type { PasswordCheck } from "./htpasswd/verify.js";

type BasicCredentials = Extract<Credentials, { kind: "basic" }>;

export interface BasicAuthenticatorDeps {
  readonly store: HtpasswdStore;
  readonly check: PasswordCheck;
  /** Maps a verified htpasswd user of a source to its identity. */
  readonly identity: (source: string, username: string) => UserInfo;
}

export function createBasicAuthenticator(deps: BasicAuthenticatorDeps): Authenticator<BasicCredentials> {
  return {
    async authenticate({ username, password }, route) {
      const source = route.htpasswd;
      const users = source === undefined ? undefined : deps.store.users(source);
      if (source === undefined || users === undefined) return { kind: "rejected", reason: "no htpasswd users" };
      const entry = users.get(username);
      if (entry === undefined) return { kind: "rejected", reason: "unknown user" };
      if (!(await deps.check(password, entry))) return { kind: "rejected", reason: "wrong password" };
      return { kind: "authenticated", user: deps.identity(source, username) };
    },
  };
}
