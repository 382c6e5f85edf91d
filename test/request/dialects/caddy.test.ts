import { describe, expect, it } from "vitest";
import { caddyForwardAuth } from "../../../src/request/dialects/caddy.js";
import { caddyPathReadings, cleanCaddyPath, foldCaddyCase } from "../../../src/request/dialects/caddy-paths.js";
import { decodePath } from "../../../src/request/normalize.js";

const headers = (h: Record<string, string>) => (name: string) => h[name];
const forwarded = {
  "x-forwarded-method": "GET",
  "x-forwarded-host": "App.Example.com:8443",
  "x-forwarded-uri": "/Admin/./Panel?x=1",
  "x-forwarded-for": "192.0.2.7",
};
const readings = (target: string) => {
  const decoded = decodePath(target);
  if (!decoded.ok) throw new Error(decoded.error);
  return caddyPathReadings(decoded.value);
};

describe("how Caddy's path matcher reads a path", () => {
  it("folds ASCII capitals, as Caddy lower-cases the path and its patterns", () => {
    expect(readings("/ADMIN/Panel")).toEqual({ ok: true, value: ["/admin/panel"] });
  });

  it("decodes before folding: an encoded capital is the same letter", () => {
    expect(readings("/%41dmin")).toEqual({ ok: true, value: ["/admin"] });
  });

  it("adds Caddy 2.6's reading, which trims trailing dots and spaces, when it differs", () => {
    expect(readings("/admin.")).toEqual({ ok: true, value: ["/admin.", "/admin"] });
    expect(readings("/admin%20")).toEqual({ ok: true, value: ["/admin ", "/admin"] });
    expect(readings("/Admin. .")).toEqual({ ok: true, value: ["/admin. .", "/admin"] });
  });

  it("trims before cleaning, as Caddy 2.6 does: a trailing '..' is trimmed away rather than resolved", () => {
    expect(readings("/admin/x/..")).toEqual({ ok: true, value: ["/admin", "/admin/x/"] });
  });

  it("trims a long run of dots in time linear in its length, as a path of 16 KB, the header limit, may carry one", () => {
    // A backtracking /[. ]+$/ takes about 300 ms for the dotted path and 1 ms for the other: the same shape then.
    const time = (path: string) => {
      const start = process.hrtime.bigint();
      caddyPathReadings(path);
      return Number(process.hrtime.bigint() - start);
    };
    const dots = `/${".".repeat(32_000)}x`;
    const letters = `/${"a".repeat(32_000)}x`;
    time(letters);
    expect(time(dots)).toBeLessThan(20 * time(letters) + 5_000_000);
    expect(caddyPathReadings(`/a${". ".repeat(8_000)}`)).toEqual({
      ok: true,
      value: [`/a${". ".repeat(8_000)}`, "/a"],
    });
  });

  it("cleans as Go's path.Clean, keeping a trailing slash but not a trailing '/.'", () => {
    expect(cleanCaddyPath("//a/./b/../c/")).toBe("/a/c/");
    expect(cleanCaddyPath("/a/.")).toBe("/a");
    expect(cleanCaddyPath("/../a")).toBe("/a");
    expect(cleanCaddyPath("/")).toBe("/");
  });

  it("refuses a non-ASCII capital, which Go folds by its own Unicode tables", () => {
    expect(foldCaddyCase("/\u212Aey")).toBeUndefined(); // KELVIN SIGN, which lower-cases to ASCII "k"
    expect(foldCaddyCase("/\u0130nfo")).toBeUndefined(); // İ: Go and JavaScript lower-case it differently
    expect(readings("/%C3%9Cber").ok).toBe(false); // Ü
  });

  it("keeps non-ASCII letters that have no lower-case form of their own", () => {
    expect(readings("/%C3%BCber")).toEqual({ ok: true, value: ["/über"] });
    expect(foldCaddyCase("/straße")).toBe("/straße");
  });
});

describe("Caddy forward_auth dialect", () => {
  it("reads method, host and path as the ForwardAuth protocol sends them, with Caddy's readings of the path", () => {
    expect(caddyForwardAuth(headers(forwarded))).toEqual({
      ok: true,
      value: {
        method: "GET",
        host: "app.example.com",
        path: "/Admin/Panel",
        routingPaths: ["/admin/panel"],
        clientAddress: "192.0.2.7",
      },
    });
  });

  it("refuses a host with a trailing dot, which Caddy matches as another site than the host without it", () => {
    for (const host of ["app.example.com.", "app.example.com.:8443"]) {
      const read = caddyForwardAuth(headers({ ...forwarded, "x-forwarded-host": host }));
      expect(read).toEqual({ ok: false, error: { kind: "invalid", reason: expect.stringMatching(/dot/) } });
    }
  });

  it("refuses what the nginx-style normalization refuses, before any reading", () => {
    for (const uri of ["/a%2Fb", "/../etc", "/a%zz"]) {
      const read = caddyForwardAuth(headers({ ...forwarded, "x-forwarded-uri": uri }));
      expect(read.ok).toBe(false);
    }
  });

  it("is misconfigured (500) without the headers forward_auth always sets, and says to go through Caddy", () => {
    const read = caddyForwardAuth(headers({ "x-forwarded-host": "app.example.com" }));
    expect(read).toEqual({ ok: false, error: { kind: "misconfigured", reason: expect.stringMatching(/Caddy/) } });
  });

  it("never reads ingress-nginx's X-Original-URL, the auth request's own Host, or identity headers", () => {
    const read = caddyForwardAuth(
      headers({
        ...forwarded,
        "x-original-url": "http://admin.example.com/admin",
        host: "admin.example.com",
        "x-auth-request-user": "system:admin",
      }),
    );
    expect(read.ok && read.value.host).toBe("app.example.com");
    expect(read.ok && read.value.path).toBe("/Admin/Panel");
  });
});
