import { describe, expect, it } from "vitest";
import { traefikForwardAuth } from "../../../src/request/dialects/traefik.js";

const headers = (h: Record<string, string>) => (name: string) => h[name];
/** What `forwarded` reads as; Traefik's sanitizePath would have cleaned its path, so the path as sent is a reading too. */
const READ = {
  method: "POST",
  host: "app.example.com",
  path: "/metrics",
  routingPaths: ["/metrics", "//api/../metrics"],
  clientAddress: "192.0.2.7",
};
const forwarded = {
  "x-forwarded-method": "POST",
  "x-forwarded-proto": "https",
  "x-forwarded-host": "App.Example.com:8443",
  "x-forwarded-uri": "//api/../metrics?x=1",
  "x-forwarded-for": "192.0.2.7",
};

describe("Traefik ForwardAuth dialect", () => {
  it("reads method, host and path from X-Forwarded-Method, -Host and -Uri, and the client from X-Forwarded-For", () => {
    expect(traefikForwardAuth(headers(forwarded))).toEqual({
      ok: true,
      value: READ,
    });
  });

  it("adds Traefik's routing path when it differs: reserved characters stay encoded, encoded dots unresolved", () => {
    const read = (uri: string) => traefikForwardAuth(headers({ ...forwarded, "x-forwarded-uri": uri }));
    expect(read("/a%40b")).toMatchObject({ value: { path: "/a@b", routingPaths: ["/a@b", "/a%40b"] } });
    // Lower-case hex is decoded by Traefik's router, as its reserved-character table lists upper-case only.
    expect(read("/a%3Ab")).toMatchObject({ value: { path: "/a:b", routingPaths: ["/a:b", "/a%3Ab"] } });
    const lower = read("/a%3ab");
    expect(lower.ok && lower.value.routingPaths).toBeUndefined();
    expect(read("/public/%2e%2e/admin")).toMatchObject({
      value: { path: "/admin", routingPaths: ["/admin", "/public/../admin"] },
    });
    expect(read("/%61dmin/x")).toMatchObject({ value: { path: "/admin/x" } });
    // Raw UTF-8 bytes (latin1 code units from Node) read as UTF-8 in both readings, with or without a "%".
    for (const uri of ["/caf\u00c3\u00a9", "/caf\u00c3\u00a9%41"]) {
      const utf8 = read(uri);
      expect(utf8.ok && utf8.value.routingPaths).toBeUndefined();
    }
    const decoded = read("/%61dmin/x");
    expect(decoded.ok && decoded.value.routingPaths).toBeUndefined();
  });

  it("takes the last X-Forwarded-For entry, the one Traefik appended", () => {
    const read = traefikForwardAuth(headers({ ...forwarded, "x-forwarded-for": "10.9.9.9, 198.51.100.4" }));
    expect(read.ok && read.value.clientAddress).toBe("198.51.100.4");
  });

  it("never reads ingress-nginx's X-Original-URL, the auth request's own Host, or identity headers", () => {
    const read = traefikForwardAuth(
      headers({
        ...forwarded,
        "x-original-url": "http://admin.example.com/admin",
        "x-original-method": "GET",
        host: "admin.example.com",
        "x-auth-request-user": "system:admin",
      }),
    );
    expect(read).toEqual({
      ok: true,
      value: READ,
    });
  });

  it.each(["x-forwarded-method", "x-forwarded-host", "x-forwarded-uri"])(
    "calls a request without %s a misconfigured proxy",
    (missing) => {
      const { [missing]: _, ...rest } = forwarded as Record<string, string>;
      const read = traefikForwardAuth(headers(rest));
      expect(read.ok).toBe(false);
      expect(!read.ok && read.error.kind).toBe("misconfigured");
    },
  );

  it.each([
    ["an encoded slash", { "x-forwarded-uri": "/a%2Fb" }, "path has an encoded slash or backslash"],
    ["a control character", { "x-forwarded-uri": "/a\u0000" }, "X-Forwarded-Uri has control characters"],
    ["a relative URI", { "x-forwarded-uri": "a/b" }, "path does not start with /"],
    ["a bad host", { "x-forwarded-host": "a b" }, "host is not a valid DNS name or address"],
    ["a bad method", { "x-forwarded-method": "G T" }, "method is not a valid HTTP method"],
  ])("refuses %s as an invalid request", (_name, change, reason) => {
    expect(traefikForwardAuth(headers({ ...forwarded, ...change }))).toEqual({
      ok: false,
      error: { kind: "invalid", reason },
    });
  });
});
