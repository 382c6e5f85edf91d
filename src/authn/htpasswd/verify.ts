/**
 * Verification of a password against one htpasswd entry, one maintained implementation per scheme: bcrypt
 * (native), apache-md5 ($apr1$ and $1$), apache-crypt (traditional DES), unixcrypt ($5$/$6$ with rounds=) and
 * node:crypto for the RFC 2307 schemes. Every comparison of secret-derived bytes is constant-time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import apacheCrypt from "apache-crypt";
import apacheMd5 from "apache-md5";
import bcrypt from "bcrypt";
import { verify as shaCryptVerify } from "unixcrypt";
import { BCRYPT_ADDON, bcryptForm } from "./bcrypt-addon.js";
import type { HtpasswdEntry } from "./parse.js";

function equal(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === "string" ? Buffer.from(a, "utf8") : a;
  const y = typeof b === "string" ? Buffer.from(b, "utf8") : b;
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The password's UTF-8 bytes as a string of one character per byte. apache-md5 and apache-crypt (through
 * unix-crypt-td-js) read each UTF-16 code unit as one byte, as Node's "ascii"/"latin1" encodings do; given this
 * string they hash exactly the bytes nginx's crypt() hashes, so "pässwörd" matches and a string whose code units
 * merely truncate to another password's bytes does not.
 */
function utf8Bytes(password: string): string {
  return Buffer.from(password, "utf8").toString("latin1");
}

const sha1 = (...parts: Buffer[]) => {
  const h = createHash("sha1");
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * Whether password matches entry; false for a mismatch or a corrupt hash, never throws. Synchronous and CPU-bound
 * (up to the configured hash limits): the gate runs it on its hash worker pool, never on the event loop.
 */
export function verifyPasswordSync(password: string, { hash, scheme }: HtpasswdEntry): boolean {
  try {
    switch (scheme) {
      case "bcrypt":
        return bcrypt.compareSync(password, bcryptForm(hash));
      case "apr1":
      case "md5-crypt":
        return equal(apacheMd5(utf8Bytes(password), hash), hash);
      case "des-crypt":
        return equal(apacheCrypt(utf8Bytes(password), hash), hash);
      case "sha256-crypt":
      case "sha512-crypt":
        return shaCryptVerify(password, hash);
      case "sha":
        return equal(sha1(Buffer.from(password, "utf8")), Buffer.from(hash.slice(5), "base64"));
      case "ssha": {
        const decoded = Buffer.from(hash.slice(6), "base64");
        if (decoded.length <= 20) return false;
        return equal(sha1(Buffer.from(password, "utf8"), decoded.subarray(20)), decoded.subarray(0, 20));
      }
      case "plain": {
        // Hash both sides so the comparison does not reveal the stored password's length.
        const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
        return equal(digest(password), digest(hash.slice(7)));
      }
    }
  } catch {
    return false;
  }
}

/**
 * A PasswordCheck without a pool: bcrypt in its addon (as the pool computes it), every other scheme in the calling
 * thread. For tools and tests, not for serving (a slow scheme would block the event loop).
 */
export const verifyPassword = async (password: string, entry: HtpasswdEntry): Promise<boolean> =>
  BCRYPT_ADDON.schemes.has(entry.scheme) ? BCRYPT_ADDON.verify(password, entry) : verifyPasswordSync(password, entry);
