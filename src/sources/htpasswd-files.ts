/**
 * htpasswd files on disk as a source of users, reloaded on change.
 *
 * Changes are picked up from a watch on the file's folder (which also sees the symlink swap of a mounted
 * Secret or ConfigMap) and from a periodic re-read as a safety net for file systems without notifications.
 * A reload that fails (file missing or unreadable) keeps the last good users and logs why; a file that loads
 * gives exactly its users, with each refused entry logged by line and user name, never by hash.
 */

import { readFile } from "node:fs/promises";
import { parseHtpasswd } from "../authn/htpasswd/parse.js";
import type { HashLimits } from "../authn/htpasswd/schemes.js";
import type { HtpasswdStore, HtpasswdUsers } from "../authn/htpasswd/store.js";
import type { HtpasswdFileSource } from "../config/config.js";
import { describeReadError } from "../config/read-error.js";
import type { Logger } from "../log.js";
import { type FileWatch, watchFile } from "./file-watch.js";

export interface HtpasswdFilesOptions {
  readonly allowWeakSchemes: boolean;
  readonly limits?: HashLimits;
  /** Safety-net re-read interval; change notifications usually act within milliseconds. */
  readonly pollIntervalMs?: number;
  readonly logger: Logger;
  /** Told how many users, and how many with weak hashes, each load gave. */
  readonly onLoad?: (source: string, users: number, weak: number) => void;
}

interface LoadedSource {
  readonly spec: HtpasswdFileSource;
  text?: string;
  users?: HtpasswdUsers;
  /** Reloads run one after another, so an older read never overwrites a newer one. */
  queue: Promise<string | undefined>;
}

export class HtpasswdFiles implements HtpasswdStore {
  private readonly sources = new Map<string, LoadedSource>();
  private readonly watches: FileWatch[] = [];

  private constructor(private readonly options: HtpasswdFilesOptions) {}

  /**
   * Reads every file once. Resolves the store and the problems that must stop start-up (unreadable files);
   * refused entries are logged, not fatal.
   */
  static async open(
    specs: readonly HtpasswdFileSource[],
    options: HtpasswdFilesOptions,
  ): Promise<{ store: HtpasswdFiles; problems: string[] }> {
    const store = new HtpasswdFiles(options);
    const problems: string[] = [];
    for (const spec of specs) {
      const source: LoadedSource = { spec, queue: Promise.resolve(undefined) };
      store.sources.set(spec.name, source);
      const error = await store.reload(source);
      if (error) problems.push(`htpasswd file "${spec.name}" (${spec.path}) cannot be read: ${error}`);
    }
    return { store, problems };
  }

  lookup(name: string): HtpasswdUsers | undefined {
    return this.sources.get(name)?.users;
  }

  /** Starts watching every file for changes. */
  watch(): void {
    for (const source of this.sources.values()) {
      this.watches.push(watchFile(source.spec.path, () => void this.reload(source), this.options.pollIntervalMs));
    }
  }

  close(): void {
    for (const w of this.watches) w.close();
  }

  /** @returns the read error, if the file could not be read (the last good users are kept). */
  private reload(source: LoadedSource): Promise<string | undefined> {
    source.queue = source.queue.then(() => this.read(source));
    return source.queue;
  }

  private async read(source: LoadedSource): Promise<string | undefined> {
    const { spec } = source;
    const log = this.options.logger.child({ source: spec.name, path: spec.path });
    let text: string;
    try {
      text = await readFile(spec.path, "utf8");
    } catch (error) {
      const reason = describeReadError(error);
      if (source.users) log.error({ reason }, "htpasswd reload failed; keeping the last good users");
      return reason;
    }
    if (text === source.text) return undefined;
    const parsed = parseHtpasswd(text, this.options);
    const first = source.text === undefined;
    source.text = text;
    const { usernamePrefix, groups } = spec;
    source.users = {
      users: parsed.users,
      identity: (username) => ({ username: `${usernamePrefix}${username}`, groups }),
    };
    for (const problem of parsed.problems) log.warn({ problem }, "htpasswd entry refused");
    if (parsed.weakUsers.length > 0) {
      log.warn(
        { users: parsed.weakUsers },
        "htpasswd users with weak password hashes; re-create them with htpasswd -B",
      );
    }
    this.options.onLoad?.(spec.name, parsed.users.size, parsed.weakUsers.length);
    log.info({ users: parsed.users.size }, first ? "htpasswd loaded" : "htpasswd reloaded");
    return undefined;
  }
}
