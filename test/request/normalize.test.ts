import { describe, expect, it } from "vitest";
import { normalizeHost, normalizeMethod, normalizePath } from "../../src/request/normalize.js";

describe("normalizePath: the path nginx routes on", () => {
  it.each([
    ["/", "/"],
    ["/app", "/app"],
    ["/app/", "/app/"],
    ["/app?x=1&y=/../admin", "/app"],
    ["//admin///x", "/admin/x"],
    ["/public/../admin", "/admin"],
    ["/public/./x/.", "/public/x/"],
    ["/a/b/..", "/a/"],
    ["/a/b/../../", "/"],
    ["/%61dmin", "/admin"],
    ["/%2e%2e/", undefined],
    ["/x/%2e%2e/admin", "/admin"],
    ["/x/%2E/admin", "/x/admin"],
    ["/caf%C3%A9", "/café"],
    ["/caf\u00c3\u00a9", "/café"], // raw UTF-8 bytes arrive from Node as latin1 code units
    ["/a b", "/a b"],
    ["/api;jsessionid=1", "/api;jsessionid=1"],
  ])("%j → %j", (raw, expected) => {
    const result = normalizePath(raw);
    if (expected === undefined) expect(result.ok).toBe(false);
    else expect(result).toEqual({ ok: true, value: expected });
  });

  // Each class of ambiguity is refused, never guessed (ingress-nginx #8644 and friends).
  it.each([
    ["encoded slash", "/admin%2Fx", "path has an encoded slash or backslash"],
    ["encoded slash, lower-case hex", "/admin%2fx", "path has an encoded slash or backslash"],
    ["encoded backslash", "/admin%5Cx", "path has an encoded slash or backslash"],
    ["raw backslash", "/admin\\x", "path has a backslash"],
    ["dot-dot above the root", "/../etc/passwd", "path climbs above the root"],
    ["encoded dot-dot above the root", "/%2e%2e/x", "path climbs above the root"],
    ["deeper climb above the root", "/a/../../x", "path climbs above the root"],
    ["encoded NUL", "/a%00b", "path has a control character"],
    ["encoded CR LF", "/a%0d%0aSet-Cookie:x", "path has a control character"],
    ["encoded DEL", "/a%7f", "path has a control character"],
    ["truncated percent-encoding", "/a%2", "path has invalid percent-encoding"],
    ["non-hex percent-encoding", "/a%zz", "path has invalid percent-encoding"],
    ["lone percent sign", "/100%", "path has invalid percent-encoding"],
    ["double encoding", "/%252e%252e/admin", "path has an encoded percent sign (double encoding)"],
    ["overlong UTF-8 for /", "/a%c0%afb", "path is not valid UTF-8"],
    ["overlong UTF-8 for .", "/%c0%ae%c0%ae/x", "path is not valid UTF-8"],
    ["invalid UTF-8", "/%ff", "path is not valid UTF-8"],
    ["fragment marker", "/a#b", "path has a fragment marker"],
    ["encoded question mark", "/admin%3F/x", "path has an encoded ? or #"],
    ["encoded fragment marker", "/a%23b", "path has an encoded ? or #"],
    ["asterisk form", "*", "path does not start with /"],
    ["empty", "", "path does not start with /"],
    ["character beyond latin1", "/\u2603", "path has a character outside latin1 transport"],
  ])("refuses %s", (_name, raw, reason) => {
    expect(normalizePath(raw)).toEqual({ ok: false, error: reason });
  });

  it("is idempotent on every accepted output sent again as UTF-8 bytes", () => {
    const transport = (s: string) => Buffer.from(s, "utf8").toString("latin1");
    for (const raw of ["//a/./b/../c/", "/%41%42", "/caf%C3%A9/x/..", "/x?y", "/a b/;c"]) {
      const once = normalizePath(raw);
      expect(once.ok).toBe(true);
      if (once.ok) expect(normalizePath(transport(once.value))).toEqual(once);
    }
  });
});

describe("normalizeHost", () => {
  it.each([
    ["App.Example.COM", "app.example.com"],
    ["app.example.com:8443", "app.example.com"],
    ["app.example.com.", "app.example.com"],
    ["127.0.0.1:80", "127.0.0.1"],
    ["[::1]:8080", "[::1]"],
    ["[2001:DB8::1]", "[2001:db8::1]"],
    ["localhost", "localhost"],
  ])("%j → %j", (raw, expected) => {
    expect(normalizeHost(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["", "host is empty"],
    [":80", "host is empty"],
    ["a..b", "host is not a valid DNS name or address"],
    ["a/b", "host is not a valid DNS name or address"],
    ["a b", "host is not a valid DNS name or address"],
    ["-a.example.com", "host is not a valid DNS name or address"],
    ["user@host", "host is not a valid DNS name or address"],
    ["host:port", "host has an invalid port"],
    ["[::1", "host has an unterminated IPv6 literal"],
    ["[::1]x", "host has an invalid port"],
    ["[zz]", "host is not a valid IPv6 literal"],
  ])("refuses %j", (raw, reason) => {
    expect(normalizeHost(raw)).toEqual({ ok: false, error: reason });
  });
});

describe("normalizeMethod", () => {
  it("accepts the methods nginx accepts", () => {
    for (const m of ["GET", "HEAD", "POST", "PROPFIND", "VERSION-CONTROL"]) expect(normalizeMethod(m).ok).toBe(true);
  });
  it("refuses lower-case, empty and odd methods", () => {
    for (const m of ["get", "", "G ET", "GET\r\n", "X".repeat(40)]) expect(normalizeMethod(m).ok).toBe(false);
  });
});
