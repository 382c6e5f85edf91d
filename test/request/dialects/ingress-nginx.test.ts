import { describe, expect, it } from "vitest";
import { ingressNginx } from "../../../src/request/dialects/ingress-nginx.js";

const headers = (h: Record<string, string>) => (name: string) => h[name];
/** The auth request line the documented auth-url (…/auth?host=$host) makes nginx send. */
const line = (host: string) => ({ method: "GET", target: `/auth?host=${host}` });

describe("ingress-nginx dialect", () => {
  it("reads host, path and method from X-Original-URL and X-Original-Method", () => {
    const read = ingressNginx(
      headers({ "x-original-url": "https://App.Example.com:8443//api/../metrics?x=1", "x-original-method": "HEAD" }),
      line("app.example.com"),
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
      line("app.example.com"),
    );
    expect(read).toEqual({ ok: true, value: { method: "GET", host: "app.example.com", path: "/public" } });
  });

  it("calls a request without X-Original-URL a misconfigured proxy", () => {
    expect(ingressNginx(headers({ "x-original-method": "GET" }), line("app"))).toEqual({
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
    expect(ingressNginx(headers({ "x-original-url": url, "x-original-method": "GET" }), line("app"))).toEqual({
      ok: false,
      error: { kind: "invalid", reason },
    });
  });

  it("denies a malformed method", () => {
    const read = ingressNginx(headers({ "x-original-url": "http://app/", "x-original-method": "get" }), line("app"));
    expect(read).toEqual({ ok: false, error: { kind: "invalid", reason: "method is not a valid HTTP method" } });
  });

  it("decides about the server nginx chose: a Host header that differs from $host is refused", () => {
    // GET http://secret.example.test/doc with Host: public.example.test; nginx serves secret.example.test.
    const read = ingressNginx(
      headers({ "x-original-url": "http://public.example.test/doc", "x-original-method": "GET" }),
      line("secret.example.test"),
    );
    expect(read).toEqual({
      ok: false,
      error: {
        kind: "invalid",
        reason: "the Host header differs from the host nginx routed by (an absolute-form request line)",
      },
    });
  });

  it("accepts $host and a Host header that name the same server, case, port and trailing dot aside", () => {
    const read = ingressNginx(
      headers({ "x-original-url": "http://App.Example.test.:8080/", "x-original-method": "GET" }),
      line("app.example.test"),
    );
    expect(read.ok).toBe(true);
  });

  it("calls an auth request without the host parameter a misconfigured auth-url", () => {
    const read = ingressNginx(headers({ "x-original-url": "http://app/", "x-original-method": "GET" }), {
      method: "GET",
      target: "/auth",
    });
    expect(read).toEqual({
      ok: false,
      error: {
        kind: "misconfigured",
        reason: 'the auth request has no "host" parameter: the auth-url must end with ?host=$host',
      },
    });
  });

  it.each([
    ["/auth?host=app&host=other", "a second host parameter"],
    ["/auth?host=app%26host%3Dother", "an encoded value"],
    ["/auth?host=app#x", "a fragment"],
    ["/auth?host=", "an empty value"],
    ["/auth?host=APP", "an upper-case value nginx never renders"],
  ])("refuses a host parameter with %s (a Host header crafted to break the query)", (target) => {
    const read = ingressNginx(headers({ "x-original-url": "http://app/", "x-original-method": "GET" }), {
      method: "GET",
      target,
    });
    expect(read).toEqual({
      ok: false,
      error: { kind: "invalid", reason: "the host nginx routed by is not a plain host name" },
    });
  });
});
