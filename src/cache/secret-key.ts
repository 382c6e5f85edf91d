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
export interface KeyedDigest {
  (message: string): string;
  /**
   * The digest of the message parts[1], parts[2], … spell when joined (numbers in decimal): the same as
   * digest(parts.slice(1).join("")), but key and message are joined into one string at once, where `key + message`
   * would copy a long message a second time. parts[0] is the key's place: it is overwritten, then left "".
   */
  joined(parts: Array<string | number>): string;
}

export function createKeyedDigest(raw: Buffer = randomBytes(32)): KeyedDigest {
  // The same characters on every call: where the key ends and the message begins is never in doubt.
  const prefix = raw.toString("base64url");
  const digest = (message: string) => hash("blake2b512", prefix + message, "base64url");
  digest.joined = (parts: Array<string | number>) => {
    parts[0] = prefix;
    const keyed = parts.join("");
    parts[0] = "";
    return hash("blake2b512", keyed, "base64url");
  };
  return digest;
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
