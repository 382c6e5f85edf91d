import { hash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createKeyedDigest, createSecretKeyer } from "../../src/cache/secret-key.js";

const KEY = Buffer.alloc(32, 7);

describe("createSecretKeyer", () => {
  it("is BLAKE2b-512 of the key, then the parts, each prefixed with its length in UTF-8 bytes", () => {
    const parts = ["team", "alice", "pässword"];
    const message = parts.map((part) => `${Buffer.byteLength(part)}:${part}`).join("");
    const reference = hash("blake2b512", Buffer.concat([Buffer.from(KEY.toString("base64url")), Buffer.from(message)]));
    expect(createSecretKeyer(KEY)(...parts)).toBe(Buffer.from(reference, "hex").toString("base64url"));
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

describe("createKeyedDigest", () => {
  it("differs from the unkeyed digest of the same message, and between keys", () => {
    const digest = createKeyedDigest(KEY);
    expect(digest("GET /")).not.toBe(hash("blake2b512", "GET /", "base64url"));
    expect(digest("GET /")).not.toBe(createKeyedDigest(Buffer.alloc(32, 8))("GET /"));
    expect(digest("GET /")).toBe(createKeyedDigest(KEY)("GET /"));
  });
});
