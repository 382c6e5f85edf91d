import { describe, expect, it } from "vitest";
import { envoyExtAuthz } from "../../../src/request/dialects/envoy.js";

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe("Envoy ext_authz dialect", () => {
  it("reads the original method and path from the request line after /ext-authz, the host from Host", () => {
    const read = envoyExtAuthz(headers({ host: "App.Example.com:443" }), {
      method: "DELETE",
      target: "/ext-authz/api/./items/7?force=1",
    });
    expect(read).toEqual({
      ok: true,
      value: {
        method: "DELETE",
        host: "app.example.com",
        path: "/api/items/7",
        routingPaths: ["/api/items/7", "/api/./items/7"],
      },
    });
  });

  it("adds the path as sent, which Envoy's route matcher compares undecoded, only when it differs", () => {
    const read = (target: string) => envoyExtAuthz(headers({ host: "app.example.com" }), { method: "GET", target });
    expect(read("/ext-authz/%61dmin/x")).toMatchObject({ value: { routingPaths: ["/admin/x", "/%61dmin/x"] } });
    expect(read("/ext-authz//admin")).toMatchObject({ value: { routingPaths: ["/admin", "//admin"] } });
    const utf8 = read("/ext-authz/caf\u00c3\u00a9");
    expect(utf8).toMatchObject({ value: { path: "/café" } });
    expect(utf8.ok && utf8.value.routingPaths).toBeUndefined();
    const plain = read("/ext-authz/admin/x?y=%2F");
    expect(plain.ok && plain.value.routingPaths).toBeUndefined();
  });

  it("never reads X-Forwarded-Host, -Uri, -Method, X-Envoy-Original-Path or X-Original-URL, even when allowed through", () => {
    const read = envoyExtAuthz(
      headers({
        host: "app.example.com",
        "x-forwarded-host": "public.example.com",
        "x-forwarded-uri": "/public",
        "x-forwarded-method": "GET",
        "x-envoy-original-path": "/public",
        "x-original-url": "http://public.example.com/public",
      }),
      { method: "POST", target: "/ext-authz/admin" },
    );
    expect(read).toEqual({ ok: true, value: { method: "POST", host: "app.example.com", path: "/admin" } });
  });

  it("takes the client address from the last X-Forwarded-For entry when the operator forwards it", () => {
    const read = envoyExtAuthz(headers({ host: "a.example.com", "x-forwarded-for": "1.2.3.4,203.0.113.9" }), {
      method: "GET",
      target: "/ext-authz/",
    });
    expect(read.ok && read.value.clientAddress).toBe("203.0.113.9");
  });

  it("calls a request without the /ext-authz prefix or without Host a misconfigured proxy", () => {
    const noPrefix = envoyExtAuthz(headers({ host: "a.example.com" }), { method: "GET", target: "/" });
    const noHost = envoyExtAuthz(headers({}), { method: "GET", target: "/ext-authz/" });
    const noLine = envoyExtAuthz(headers({ host: "a.example.com" }));
    for (const read of [noPrefix, noHost, noLine]) expect(!read.ok && read.error.kind).toBe("misconfigured");
  });

  it.each([
    ["/ext-authz", "path does not start with /"],
    ["/ext-authz/a%2Fb", "path has an encoded slash or backslash"],
    ["/ext-authz/../admin", "path climbs above the root"],
  ])("refuses %s as an invalid request", (target, reason) => {
    const read = envoyExtAuthz(headers({ host: "a.example.com" }), { method: "GET", target });
    expect(read).toEqual({ ok: false, error: { kind: "invalid", reason } });
  });
});
