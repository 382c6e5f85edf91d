/**
 * Cache keys derived from secret material (passwords, tokens) are HMAC-SHA256 digests under a random key made at
 * process start: a heap dump or a log of cache keys reveals nothing that can be replayed or brute-forced offline,
 * and keys differ between processes.
 */
import { createHmac, createSecretKey, randomBytes } from "node:crypto";

export type SecretKeyer = (...parts: readonly string[]) => string;

export function createSecretKeyer(raw: Buffer = randomBytes(32)): SecretKeyer {
  // A KeyObject made once: createHmac would otherwise wrap the raw key anew on every call (a hot-path cost).
  const key = createSecretKey(raw);
  return (...parts) => {
    // Length-prefixed parts: ("ab","c") and ("a","bc") never collide. One string, one update: each call into the
    // native hash costs more than building the message.
    let message = "";
    for (const part of parts) message += `${Buffer.byteLength(part, "utf8")}:${part}`;
    return createHmac("sha256", key).update(message, "utf8").digest("base64url");
  };
}
