/**
 * Properties over hostile input: no input makes the parsers throw, normalization is idempotent and its output
 * is clean, and no encoding of a path reaches a route its normalized form would not.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { staticAuthorizer } from "../../src/authz/static.js";
import { createGate } from "../../src/decision/gate.js";
import { parseAuthorization } from "../../src/request/credentials.js";
import { envoyExtAuthz } from "../../src/request/dialects/envoy.js";
import { ingressNginx } from "../../src/request/dialects/ingress-nginx.js";
import { traefikForwardAuth } from "../../src/request/dialects/traefik.js";
import { normalizeHost, normalizePath } from "../../src/request/normalize.js";
import { buildRouteTable, matchRoute, type Route } from "../../src/routing/routes.js";
import { nginxAuthPath } from "../support/dialects.js";
import { pathHasPrefix } from "../support/routes.js";

const RUNS = { numRuns: 3000 };
/** Strings rich in what breaks path handling: %XX (valid or not), dots, slashes, backslashes, controls, latin1. */
const pathish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "/",
        ".",
        "..",
        "%",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "%25",
        "%00",
        "%0a",
        "%c0%ae",
        "%ff",
        "%3f",
        "%23",
        "\\",
        ";",
        "?",
        "#",
        "admin",
        "public",
        "a",
      ),
      fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0")}`),
      fc.string({ unit: "binary", maxLength: 3 }),
      fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(""));
const transport = (s: string) => Buffer.from(s, "utf8").toString("latin1");

describe("normalizePath properties", () => {
  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.oneof(pathish, fc.string({ unit: "binary" })), (raw) => {
        normalizePath(raw);
        normalizePath(`/${raw}`);
      }),
      RUNS,
    );
  });

  it("is idempotent and gives clean output: one leading slash, no empty, dot or dot-dot segment, no %, no controls", () => {
    fc.assert(
      fc.property(pathish, (raw) => {
        const once = normalizePath(`/${raw}`);
        if (!once.ok) return;
        const out = once.value;
        expect(normalizePath(transport(out))).toEqual(once);
        expect(out.startsWith("/")).toBe(true);
        expect(out).not.toMatch(/\/\/|\/\.\.?(\/|$)|[%?#\\]|[\u0000-\u001f\u007f]/);
      }),
      RUNS,
    );
  });
});

describe("header parsing properties", () => {
  it("parseAuthorization returns a value for any header lines and never throws", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: "binary" }),
            fc.string().map((s) => `Basic ${s}`),
            fc.string().map((s) => `Bearer ${s}`),
          ),
          { maxLength: 3 },
        ),
        (values) => {
          const c = parseAuthorization(values);
          expect(["none", "basic", "bearer", "malformed"]).toContain(c.kind);
        },
      ),
      RUNS,
    );
  });

  it("reads back any Basic user-id without colon or controls, and any password", () => {
    const userId = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
      .filter((u) => !/[:\u0000-\u001f\u007f]/.test(u));
    const password = fc.string({ unit: "grapheme", maxLength: 40 }).filter((p) => !/[\u0000-\u001f\u007f]/.test(p));
    fc.assert(
      fc.property(userId, password, (u, p) => {
        const header = `Basic ${Buffer.from(`${u}:${p}`, "utf8").toString("base64")}`;
        expect(parseAuthorization([header])).toEqual({ kind: "basic", username: u, password: p });
      }),
      RUNS,
    );
  });

  it("the ingress-nginx dialect and host normalization never throw on any header value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), fc.string(), (url, method, host) => {
        ingressNginx((name) => (name === "x-original-url" ? url : name === "x-original-method" ? method : undefined), {
          method: "GET",
          target: `/auth?host=${host}`,
        });
        ingressNginx(
          (name) =>
            name === "x-original-url" ? `http://${host}/${url}` : name === "x-original-method" ? "GET" : undefined,
          { method: "GET", target: `/auth?${url}` },
        );
        normalizeHost(host);
      }),
      RUNS,
    );
  });

  /** A dialect's answer without the readings its proxy routes by (which only Traefik and Envoy add). */
  const withoutReadings = <T extends { ok: boolean; value?: { routingPaths?: unknown } }>(read: T) => {
    if (!read.ok || read.value === undefined) return read;
    const { routingPaths: _readings, ...value } = read.value;
    return { ...read, value };
  };

  it("the Traefik and Envoy dialects never throw, and read the same request the ingress-nginx dialect reads", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), pathLike),
        fc.oneof(fc.string(), fc.constantFrom("GET", "HEAD", "POST", "get", "M-SEARCH")),
        fc.oneof(
          fc.string(),
          fc.domain(),
          fc.domain().map((d) => `${d.toUpperCase()}:8080`),
        ),
        (uri, method, host) => {
          const nginx = ingressNginx(
            (name) =>
              name === "x-original-url" ? `http://${host}${uri}` : name === "x-original-method" ? method : undefined,
            { method: "GET", target: nginxAuthPath(host) },
          );
          const traefik = traefikForwardAuth(
            (name) =>
              ({ "x-forwarded-method": method, "x-forwarded-host": host, "x-forwarded-uri": uri })[name] ?? undefined,
          );
          const envoy = envoyExtAuthz((name) => (name === "host" ? host : undefined), {
            method,
            target: `/ext-authz${uri}`,
          });
          // Whatever one dialect allows through, the others read identically: no proxy is a way around a rule.
          if (nginx.ok && !/[/?#]/.test(host)) {
            expect(withoutReadings(traefik)).toEqual(nginx);
            expect(withoutReadings(envoy)).toEqual(nginx);
            // The proxy's own reading is an addition, never a replacement: the normalized path is always the first.
            for (const read of [traefik, envoy])
              if (read.ok && read.value.routingPaths) expect(read.value.routingPaths[0]).toBe(read.value.path);
          }
        },
      ),
      RUNS,
    );
  });
});

/** Request-targets built from the pieces that matter to normalization. */
const pathLike = fc
  .array(
    fc.constantFrom("/", "a", "b", ".", "..", "%2F", "%41", "%2e", "?", "#", "%", "\\", "é", "%00", "//", "?x=%2F"),
    {
      maxLength: 12,
    },
  )
  .map((parts) => `/${parts.join("")}`);

describe("routing properties", () => {
  const route = (path: string, authorization: Route["authorization"]): Route => ({
    source: path,
    host: "app.example.com",
    path,
    pathType: "Prefix",
    authenticators: ["basic"],
    realm: "r",
    htpasswd: "u",
    authorization,
  });
  const table = buildRouteTable([
    route("/", { kind: "authenticated" }),
    route("/admin", { kind: "users", users: new Set(["root"]) }),
  ]);
  const gate = createGate({
    dialect: ingressNginx,
    resolveRoute: ({ host, path }) => matchRoute(table, host, path),
    authenticators: [
      {
        kind: "basic",
        async authenticate(credentials) {
          if (credentials.kind !== "basic") return { kind: "no-opinion" };
          return { kind: "authenticated", user: { username: credentials.username, groups: [] } };
        },
      },
    ],
    authorizer: staticAuthorizer,
  });
  const guest = `Basic ${Buffer.from("guest:pw").toString("base64")}`;

  it("no encoding of a path reaches /admin as a non-admin; what is allowed is allowed for its normalized form", async () => {
    await fc.assert(
      fc.asyncProperty(pathish, async (raw) => {
        const record = await gate({
          header: (name) =>
            name === "x-original-url"
              ? `http://app.example.com/${raw}`
              : name === "x-original-method"
                ? "GET"
                : undefined,
          authorization: [guest],
          line: { method: "GET", target: "/auth?host=app.example.com" },
        });
        const normalized = normalizePath(`/${raw}`);
        if (!normalized.ok || /[\u0000-\u001f\u007f]/.test(raw)) {
          expect(record.decision.kind).toBe("forbidden");
          return;
        }
        // Under /admin, or a ";" parameter an app behind might read as another path: never allowed.
        const underAdmin = pathHasPrefix(normalized.value, "/admin") || normalized.value.includes(";");
        expect(record.decision.kind).toBe(underAdmin ? "forbidden" : "allow");
      }),
      RUNS,
    );
  });
});
