import type { UserInfo } from "../../vocabulary/types.js";
import type { HtpasswdEntry } from "./parse.js";

/** The current users of one htpasswd source, and the identity each has once verified. */
export interface HtpasswdUsers {
  readonly users: ReadonlyMap<string, HtpasswdEntry>;
  identity(username: string): UserInfo;
}

/** Named htpasswd sources. Sources reload in the background; reads are synchronous. */
export interface HtpasswdStore {
  /** undefined when the source is unknown or has no usable content: no users, never old ones. */
  lookup(source: string): HtpasswdUsers | undefined;
}

/** One store over several, each owning its own keys (file names, "secret:..." keys). */
export function combineStores(...stores: readonly HtpasswdStore[]): HtpasswdStore {
  return {
    lookup(source) {
      for (const store of stores) {
        const found = store.lookup(source);
        if (found) return found;
      }
      return undefined;
    },
  };
}
