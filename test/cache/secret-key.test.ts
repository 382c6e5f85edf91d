import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretKeyer } from "../../src/cache/secret-key.js";

const KEY = Buffer.alloc(32, 7);

describe("createSecretKeyer", () => {
  it("is HMAC-SHA256 under the key of the parts, each prefixed with its length in UTF-8 bytes", () => {
    const parts = ["team", "alice", "pässword"];
    const reference = createHmac("sha256", KEY);
    for (const part of parts)
      reference.update(Buffer.concat([Buffer.from(`${Buffer.byteLength(part)}:`), Buffer.from(part)]));
    expect(createSecretKeyer(KEY)(...parts)).toBe(reference.digest("base64url"));
  });

  it("never lets a boundary move between parts go unnoticed", () => {
    const keyer = createSecretKeyer(KEY);
    expect(keyer("ab", "c")).not.toBe(keyer("a", "bc"));
    expect(keyer("1:a")).not.toBe(keyer("", "a"));
  });

  it("gives other keys under another secret, and random secrets by default", () => {
    expect(createSecretKeyer(KEY)("x")).not.toBe(createSecretKeyer(Buffer.alloc(32, 8))("x"));
    expect(createSecretKeyer()("x")).not.toBe(createSecretKeyer()("x"));
  });
});
