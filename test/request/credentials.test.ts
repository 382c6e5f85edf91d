import { describe, expect, it } from "vitest";
import { parseAuthorization } from "../../src/request/credentials.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("parseAuthorization", () => {
  it("reads no header as no credentials", () => {
    expect(parseAuthorization([])).toEqual({ kind: "none" });
  });

  it.each([
    [`Basic ${b64("alice:secret")}`, "alice", "secret"],
    [`basic ${b64("alice:secret")}`, "alice", "secret"],
    [`BASIC   ${b64("alice:secret")}`, "alice", "secret"],
    [`Basic ${b64("alice:se:cr:et")}`, "alice", "se:cr:et"],
    [`Basic ${b64("alice:")}`, "alice", ""],
    [`Basic ${b64("josé:pässwörd-☃")}`, "josé", "pässwörd-☃"],
  ])("reads Basic %s per RFC 7617 (UTF-8, the password may contain colons)", (header, username, password) => {
    expect(parseAuthorization([header])).toEqual({ kind: "basic", username, password });
  });

  it("reads a Bearer token per RFC 6750", () => {
    expect(parseAuthorization(["Bearer abc.DEF-ghi_~+/=="])).toEqual({ kind: "bearer", token: "abc.DEF-ghi_~+/==" });
    expect(parseAuthorization(["bearer   t0k3n"])).toEqual({ kind: "bearer", token: "t0k3n" });
  });

  // Every malformed class is an ordinary value: it becomes a 401 with a challenge, never a 400 or a crash.
  it.each([
    ["Basic without colon", [`Basic ${b64("alice")}`], "Basic credentials have no colon"],
    ["Basic with an empty user-id", [`Basic ${b64(":secret")}`], "Basic credentials have an empty user-id"],
    ["Basic with invalid base64", ["Basic !!!!"], "malformed credentials"],
    ["Basic with base64 of wrong length", ["Basic YWxpY2U6c2VjcmV0Z"], "Basic credentials are not valid base64"],
    ["Basic with no credentials", ["Basic"], "malformed credentials"],
    ["Basic with only a space", ["Basic "], "malformed credentials"],
    [
      "Basic with invalid UTF-8",
      [`Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64")}`],
      "Basic credentials are not valid UTF-8",
    ],
    [
      "Basic with a control character",
      [`Basic ${b64("ali\nce:secret")}`],
      "Basic credentials contain control characters",
    ],
    [
      "Basic with NUL in the password",
      [`Basic ${b64("alice:se\u0000cret")}`],
      "Basic credentials contain control characters",
    ],
    ["Bearer with no token", ["Bearer"], "malformed credentials"],
    ["Bearer with a space inside", ["Bearer abc def"], "malformed credentials"],
    ["Bearer with a forbidden character", ["Bearer abc,def"], "malformed credentials"],
    ["an unknown scheme", ["Digest username=alice"], "unsupported authorization scheme"],
    ["a bare token", ["abcdef"], "unsupported authorization scheme"],
    ["an empty header", [""], "unsupported authorization scheme"],
    ["a header over 16 KiB", [`Bearer ${"a".repeat(17 * 1024)}`], "Authorization header too long"],
    ["two Authorization headers", [`Basic ${b64("a:b")}`, "Bearer x"], "more than one Authorization header"],
    ["two identical Authorization headers", ["Bearer x", "Bearer x"], "more than one Authorization header"],
  ])("refuses %s", (_name, values, reason) => {
    expect(parseAuthorization(values)).toEqual({ kind: "malformed", reason });
  });
});
