/**
 * bcrypt by its native addon, asynchronously: the hash runs on libuv's thread pool, off the event loop without a
 * thread of its own (a worker thread costs 10–20 MB of resident memory while it lives). This module loads only the
 * addon, not the JavaScript hash libraries of the other schemes, which stay on the pool's worker threads.
 */
import bcrypt from "bcrypt";
import type { HtpasswdEntry } from "./parse.js";
import type { HashScheme } from "./schemes.js";

/** $2y$ (crypt_blowfish) and $2b$ (OpenBSD) name the same fixed algorithm; the binding only knows $2a/$2b. */
export const bcryptForm = (hash: string): string => (hash.startsWith("$2y$") ? `$2b$${hash.slice(4)}` : hash);

/**
 * Whether password matches a bcrypt hash: false for a mismatch or a corrupt hash, never rejects (the answers of
 * verifyPasswordSync). Once started, the computation cannot be interrupted; the hash limits bound how long it runs.
 */
export async function verifyBcrypt(password: string, hash: string): Promise<boolean> {
  try {
    return await bcrypt.compare(password, bcryptForm(hash));
  } catch {
    return false;
  }
}

/** Schemes the hash pool computes in native code, without a worker thread, and how. */
export interface NativeHashing {
  readonly schemes: ReadonlySet<HashScheme>;
  /** Resolves whether password matches entry; never rejects. */
  readonly verify: (password: string, entry: HtpasswdEntry) => Promise<boolean>;
}

export const BCRYPT_ADDON: NativeHashing = Object.freeze({
  schemes: new Set<HashScheme>(["bcrypt"]),
  verify: (password: string, entry: HtpasswdEntry) => verifyBcrypt(password, entry.hash),
});

/**
 * libuv's thread pool size, read as libuv reads it: 4 when UV_THREADPOOL_SIZE is unset, else its atoi() as an
 * unsigned count, 0 (no number) taken as 1 and anything above 1024 (a negative number, too) as 1024.
 */
export function libuvThreads(env: NodeJS.ProcessEnv): number {
  const raw = env.UV_THREADPOOL_SIZE;
  if (raw === undefined) return 4;
  const n = Number.parseInt(raw, 10) || 0;
  if (n === 0) return 1;
  return n < 0 || n > 1024 ? 1024 : n;
}

/**
 * Why `workers` hashes would crowd libuv's thread pool, or undefined when they leave two threads free. bcrypt holds
 * a pool thread while it computes, and file reads, log writes and DNS lookups wait behind it for a free one.
 */
export function threadPoolShortfall(workers: number, env: NodeJS.ProcessEnv): string | undefined {
  const threads = libuvThreads(env);
  if (workers + 2 <= threads) return undefined;
  return `htpasswd.hashing.workers is ${workers} and libuv's thread pool has ${threads} thread${threads === 1 ? "" : "s"}: bcrypt hashes can take all but ${Math.max(threads - workers, 0)} from file reads, log writes and DNS lookups; set UV_THREADPOOL_SIZE=${workers + 2}`;
}
