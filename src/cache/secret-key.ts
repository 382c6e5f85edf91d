/**
 * Cache keys derived from secret material (passwords, tokens, whole requests with their credentials) are keyed
 * BLAKE2b-512 digests under a random key made at process start: a heap dump or a log of cache keys reveals nothing
 * that can be replayed or brute-forced offline, and keys differ between processes.
 *
 * The key is a prefix of the message. That is a sound MAC for BLAKE2 (unlike SHA-256, it has no length extension),
 * and one call of node:crypto's one-shot hash costs a third of an HMAC object's (createHmac, update, digest): every
 * request through the proxy pays for one.
 */
import { hash, randomBytes } from "node:crypto";

export type SecretKeyer = (...parts: readonly string[]) => string;

/** The keyed digest of one message, in base64url. */
export type KeyedDigest = (message: string) => string;

export function createKeyedDigest(raw: Buffer = randomBytes(32)): KeyedDigest {
  // The same characters on every call: where the key ends and the message begins is never in doubt.
  const prefix = raw.toString("base64url");
  return (message) => hash("blake2b512", prefix + message, "base64url");
}

export function createSecretKeyer(raw: Buffer = randomBytes(32)): SecretKeyer {
  const digest = createKeyedDigest(raw);
  return (...parts) => {
    // Length-prefixed parts: ("ab","c") and ("a","bc") never collide.
    let message = "";
    for (const part of parts) message += `${Buffer.byteLength(part, "utf8")}:${part}`;
    return digest(message);
  };
}
