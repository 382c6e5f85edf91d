import type { HtpasswdEntry } from "./parse.js";

/** The current users of each named htpasswd source. Sources reload in the background; reads are synchronous. */
export interface HtpasswdStore {
  /** undefined when the source is unknown or has no usable content: no users, never old ones. */
  users(source: string): ReadonlyMap<string, HtpasswdEntry> | undefined;
}
