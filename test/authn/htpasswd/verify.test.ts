import { describe, expect, it } from "vitest";
import { verifyBcrypt } from "../../../src/authn/htpasswd/bcrypt-addon.js";
import { parseHtpasswd } from "../../../src/authn/htpasswd/parse.js";
import { verifyPassword, verifyPasswordSync } from "../../../src/authn/htpasswd/verify.js";
import { readFixture } from "../../support/fixtures.js";

// Vectors made by htpasswd, openssl passwd and mkpasswd: test/fixtures/htpasswd/make-vectors.sh records each command.
const parsed = parseHtpasswd(readFixture("htpasswd/vectors.htpasswd"), { allowWeakSchemes: true });

const vectors: ReadonlyArray<readonly [user: string, scheme: string, password: string]> = [
  ["bcrypt-2y", "bcrypt", "pw-bcrypt-2y"],
  ["bcrypt-2y-cost10", "bcrypt", "pw-bcrypt-2y-cost10"],
  ["bcrypt-2b", "bcrypt", "pw-bcrypt-2b"],
  ["bcrypt-2a", "bcrypt", "pw-bcrypt-2a"],
  ["apr1-htpasswd", "apr1", "pw-apr1-htpasswd"],
  ["apr1-openssl", "apr1", "pw-apr1-openssl"],
  ["md5-openssl", "md5-crypt", "pw-md5-openssl"],
  ["md5-mkpasswd", "md5-crypt", "pw-md5-mkpasswd"],
  ["sha256-htpasswd", "sha256-crypt", "pw-sha256-htpasswd"],
  ["sha256-rounds", "sha256-crypt", "pw-sha256-rounds"],
  ["sha256-openssl", "sha256-crypt", "pw-sha256-openssl"],
  ["sha512-htpasswd", "sha512-crypt", "pw-sha512-htpasswd"],
  ["sha512-rounds", "sha512-crypt", "pw-sha512-rounds"],
  ["sha512-openssl", "sha512-crypt", "pw-sha512-openssl"],
  ["sha512-mkpasswd-rounds", "sha512-crypt", "pw-sha512-mkpasswd-rounds"],
  ["sha-htpasswd", "sha", "pw-sha-htpasswd"],
  ["des-htpasswd", "des-crypt", "pw-des-htpasswd"],
  ["des-mkpasswd", "des-crypt", "pw-des-mkpasswd"],
  ["ssha-openssl", "ssha", "pw-ssha-openssl"],
  ["plain-printf", "plain", "pw-plain-printf"],
  ["utf8-bcrypt", "bcrypt", "pässwörd-☃"],
  ["colon-apr1", "apr1", "pw:with:colons"],
  ["utf8-apr1", "apr1", "pässwörd"],
  ["utf8-md5", "md5-crypt", "pässwörd"],
  ["utf8-des", "des-crypt", "päss"],
  ["colon2-apr1", "apr1", "s3cr:et"],
];

describe("password verification per hash scheme", () => {
  it.each(vectors)("%s (%s) accepts the right password", async (user, scheme, password) => {
    const entry = parsed.users.get(user);
    expect(entry?.scheme).toBe(scheme);
    expect(await verifyPassword(password, entry!)).toBe(true);
  });

  it.each(vectors)("%s (%s) rejects a wrong password", async (user, _scheme, password) => {
    const entry = parsed.users.get(user)!;
    expect(await verifyPassword(`x${password}`, entry)).toBe(false);
    expect(await verifyPassword("", entry)).toBe(false);
    expect(await verifyPassword(password.toUpperCase(), entry)).toBe(false);
  });

  it("refuses the yescrypt entry by user name and loads all the others", () => {
    expect(parsed.users.has("yescrypt-mkpasswd")).toBe(false);
    expect(parsed.users.size).toBe(vectors.length);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(
      /^line \d+: user "yescrypt-mkpasswd" has a yescrypt \(\$y\$\) hash: not supported, re-create it with "htpasswd -B"$/,
    );
  });

  it("hashes UTF-8 bytes, so code units that truncate to another password's bytes do not match", async () => {
    // Each code unit of "ųĳţŲĺťŴ" has the low byte of one character of "s3cr:et" (U+0173 → 0x73 "s", ...).
    expect(await verifyPassword("ųĳţŲĺťŴ", parsed.users.get("colon2-apr1")!)).toBe(false);
    expect(await verifyPassword("päss", parsed.users.get("utf8-apr1")!)).toBe(false);
    expect(await verifyPassword("p\u00e4ss", parsed.users.get("utf8-des")!)).toBe(true);
    expect(await verifyPassword("pass", parsed.users.get("utf8-des")!)).toBe(false);
  });

  // bcrypt has two paths: the native addon on libuv's thread pool (what the pool uses) and the synchronous one.
  const bcryptVectors = vectors.filter(([, scheme]) => scheme === "bcrypt");
  it.each(bcryptVectors)("%s answers the same on both bcrypt paths", async (user, _scheme, password) => {
    const { hash } = parsed.users.get(user)!;
    for (const attempt of [password, `x${password}`, "", password.toUpperCase()]) {
      const entry = parsed.users.get(user)!;
      expect(await verifyBcrypt(attempt, hash)).toBe(attempt === password);
      expect(verifyPasswordSync(attempt, entry)).toBe(attempt === password);
    }
  });

  it("treats a corrupted bcrypt hash as a mismatch on both paths, never a rejection", async () => {
    const { hash } = parsed.users.get("bcrypt-2y")!;
    for (const corrupt of [hash.slice(0, -2), `$2y$99${hash.slice(6)}`, "$2b$10$", `${hash.slice(0, 29)}!!!`]) {
      await expect(verifyBcrypt("pw-bcrypt-2y", corrupt)).resolves.toBe(false);
      expect(verifyPasswordSync("pw-bcrypt-2y", { username: "u", hash: corrupt, scheme: "bcrypt" })).toBe(false);
    }
  });

  it("treats a corrupted hash as a mismatch, not a crash", async () => {
    const entry = parsed.users.get("ssha-openssl")!;
    expect(await verifyPassword("pw-ssha-openssl", { ...entry, hash: "{SSHA}AAAA" })).toBe(false);
    const sha = parsed.users.get("sha512-htpasswd")!;
    expect(await verifyPassword("pw-sha512-htpasswd", { ...sha, hash: `${sha.hash.slice(0, -2)}` })).toBe(false);
  });
});
