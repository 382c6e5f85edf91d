import { describe, expect, it } from "vitest";
import { ingressNginx } from "../../../src/core/dialects/ingress-nginx.js";

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe("ingress-nginx dialect", () => {
  it("reads host, path and method from X-Original-URL and X-Original-Method", () => {
    const read = ingressNginx(
      headers({ "x-original-url": "https://App.Example.com:8443//api/../metrics?x=1", "x-original-method": "HEAD" }),
    );
    expect(read).toEqual({ ok: true, value: { method: "HEAD", host: "app.example.com", path: "/metrics" } });
  });

  it("never trusts client-controlled headers such as X-Forwarded-Host or X-Original-URI", () => {
    const read = ingressNginx(
      headers({
        "x-original-url": "http://app.example.com/public",
        "x-original-method": "GET",
        "x-forwarded-host": "admin.example.com",
        "x-forwarded-uri": "/admin",
        "x-original-uri": "/admin",
        host: "admin.example.com",
      }),
    );
    expect(read).toEqual({ ok: true, value: { method: "GET", host: "app.example.com", path: "/public" } });
  });

  it("calls a request without X-Original-URL a misconfigured proxy", () => {
    expect(ingressNginx(headers({ "x-original-method": "GET" }))).toEqual({
      ok: false,
      error: {
        kind: "misconfigured",
        reason: "X-Original-URL or X-Original-Method missing: call this endpoint only through ingress-nginx's auth-url",
      },
    });
  });

  it.each([
    ["http:///x", "host is empty"],
    ["ftp://app/x", "X-Original-URL is not an absolute http(s) URL"],
    ["/x", "X-Original-URL is not an absolute http(s) URL"],
    ["http://app", "path does not start with /"],
    ["http://app/%2e%2e/%2e%2e/etc", "path climbs above the root"],
    ["http://app/a%2Fb", "path has an encoded slash or backslash"],
    ["http://app/?q=\r\nX: y", "X-Original-URL has control characters"],
  ])("denies the ambiguous or malformed URL %j", (url, reason) => {
    expect(ingressNginx(headers({ "x-original-url": url, "x-original-method": "GET" }))).toEqual({
      ok: false,
      error: { kind: "invalid", reason },
    });
  });

  it("denies a malformed method", () => {
    const read = ingressNginx(headers({ "x-original-url": "http://app/", "x-original-method": "get" }));
    expect(read).toEqual({ ok: false, error: { kind: "invalid", reason: "method is not a valid HTTP method" } });
  });
});
