/**
 * A corpus of hostile requests through Debian's nginx (configured as ingress-nginx renders auth-url) to rbac-gate:
 * every answer is the intended one, and none is a 200 that should not be. bob may use /public only; alice may use
 * everything.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { startGateBehindNginx } from "./support/gate-behind-nginx.js";
import { basic, send } from "./support/http-client.js";
import type { Nginx } from "./support/nginx.js";
import { stopAll } from "./support/processes.js";
import { sendRaw } from "./support/raw-http.js";
import type { RunningGate } from "./support/rbac-gate.js";
import type { Upstream } from "./support/upstream.js";

// alice (bcrypt) and bob ($apr1$); the fixture records the htpasswd command of each.
const USERS = readFixture("htpasswd/team.htpasswd");
const CONFIG = `
regulation: {enabled: false}
htpasswd: {files: [{name: team, path: users.htpasswd}]}
routes:
  - {host: app.example.test, htpasswd: team, allow: {users: [alice]}}
  - {host: app.example.test, path: /public, htpasswd: team, allow: {authenticated: true}}
`;
const BOB = basic("bob", "bob-pw");
const ALICE = basic("alice", "alice-pw");

let gate: RunningGate;
let upstream: Upstream;
let nginx: Nginx;
beforeAll(async () => {
  ({ gate, upstream, nginx } = await startGateBehindNginx({ "config.yaml": CONFIG, "users.htpasswd": USERS }));
});
afterAll(async () => {
  await upstream?.close();
  await stopAll();
});
beforeEach(() => {
  upstream.seen.length = 0;
});

type Expect = number | "refused by nginx";
const corpus: Array<[name: string, path: string, headers: Record<string, string | string[]>, expected: Expect]> = [
  // Path encodings (ingress-nginx #8644 and relatives), as bob: only what normalizes under /public may pass.
  ["#8644 raw climb", "/public/../admin/%2e%2e/x//y", { Authorization: BOB }, 403],
  ["dot-dot into /admin", "/public/../admin", { Authorization: BOB }, 403],
  ["encoded dots into /admin", "/public/%2e%2e/admin", { Authorization: BOB }, 403],
  ["mixed-case encoded dots", "/public/%2E%2e/admin", { Authorization: BOB }, 403],
  ["double slashes stay under /public", "//public//x", { Authorization: BOB }, 200],
  ["dot segments that stay under /public", "/public/./a/../b", { Authorization: BOB }, 200],
  ["encoded slash", "/public%2F..%2Fadmin", { Authorization: ALICE }, 403],
  ["encoded backslash", "/public%5C..%5Cadmin", { Authorization: ALICE }, 403],
  ["double-encoded dots", "/public/%252e%252e/admin", { Authorization: ALICE }, 403],
  ["overlong UTF-8 dot", "/public/%c0%ae%c0%ae/admin", { Authorization: ALICE }, 403],
  ["overlong UTF-8 slash", "/public%c0%afadmin", { Authorization: ALICE }, 403],
  ["encoded question mark", "/admin%3F/public", { Authorization: BOB }, 403],
  ["encoded NUL", "/public/a%00b", { Authorization: ALICE }, "refused by nginx"],
  ["encoded CR LF", "/public/a%0d%0aX-Injected:%201", { Authorization: ALICE }, 403],
  ["climb above the root", "/../admin", { Authorization: ALICE }, "refused by nginx"],
  // Credentials.
  ["two Authorization headers, the first valid", "/public/x", { Authorization: [ALICE, BOB] }, "refused by nginx"],
  ["Basic without colon", "/public/x", { Authorization: `Basic ${Buffer.from("alice").toString("base64")}` }, 401],
  ["Basic with invalid base64", "/public/x", { Authorization: "Basic ***" }, 401],
  [
    "Basic with an empty user",
    "/public/x",
    { Authorization: `Basic ${Buffer.from(":alice-pw").toString("base64")}` },
    401,
  ],
  [
    "Basic with a NUL in the password",
    "/public/x",
    { Authorization: `Basic ${Buffer.from("alice:alice-pw\u0000").toString("base64")}` },
    401,
  ],
  ["unknown scheme", "/public/x", { Authorization: "Digest username=alice" }, 401],
  ["16 KB Authorization header", "/public/x", { Authorization: `Bearer ${"a".repeat(16 * 1024)}` }, "refused by nginx"],
  [
    "16 KB of other headers",
    "/public/x",
    { Authorization: ALICE, "X-Padding": "p".repeat(16 * 1024) },
    "refused by nginx",
  ],
  // Spoofed forwarding and identity headers change nothing.
  ["spoofed X-Original-URL", "/admin", { Authorization: BOB, "X-Original-URL": "http://app.example.test/public" }, 403],
  ["spoofed X-Original-URI", "/admin", { Authorization: BOB, "X-Original-URI": "/public" }, 403],
  [
    "spoofed X-Forwarded-Uri and -Host",
    "/admin",
    { Authorization: BOB, "X-Forwarded-Uri": "/public", "X-Forwarded-Host": "other" },
    403,
  ],
  ["spoofed X-Original-Method", "/admin", { Authorization: BOB, "X-Original-Method": "OPTIONS" }, 403],
  [
    "spoofed X-Auth-Request-User",
    "/admin",
    { Authorization: BOB, "X-Auth-Request-User": "alice", "X-Remote-User": "alice" },
    403,
  ],
  ["spoofed identity without credentials", "/admin", { "X-Auth-Request-User": "alice" }, 401],
];

describe("As an attacker with a corpus of hostile requests", () => {
  it.each(corpus)("%s gets the intended answer", async (_name, path, headers, expected) => {
    const reply = await send(nginx.plainPort, path, { headers: { Host: "app.example.test", ...headers } });
    if (expected === "refused by nginx") expect(reply.status).toBe(400);
    else expect(reply.status).toBe(expected);
    expect(upstream.seen).toHaveLength(reply.status === 200 ? 1 : 0);
  });

  it.each([
    // nginx accepts a bare LF as a line end: the smuggled header is just a header, and nginx replaces it.
    [
      "a bare LF smuggling an identity header",
      `GET /public/x HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\nAuthorization: ${BOB}\nX-Auth-Request-User: alice\r\n\r\n`,
      200,
    ],
    // "GET /admin" then CR LF is an HTTP/0.9 request line: nginx answers without a status line (0 here), and the
    // auth subrequest, which has no credentials, keeps the app out of reach.
    [
      "CR LF injected into the path",
      "GET /admin\r\nX: y HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\n\r\n",
      0,
    ],
    [
      "a NUL byte in a header",
      `GET /admin HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\nAuthorization: ${ALICE}\u0000\r\n\r\n`,
      400,
    ],
    ["an HTTP/1.0 request without Host (empty host)", `GET /public/x HTTP/1.0\r\nAuthorization: ${BOB}\r\n\r\n`, 403],
  ])("%s gets status %s and never passes as someone else", async (_name, raw, expected) => {
    const status = await sendRaw(nginx.plainPort, Buffer.from(raw as string, "latin1"));
    expect(status).toBe(expected);
    expect(upstream.seen).toHaveLength(status === 200 ? 1 : 0);
    for (const seen of upstream.seen) expect(seen.headers["x-auth-request-user"]).toBe("bob");
  });

  it("rbac-gate logged no crash and is still answering", async () => {
    expect(gate.process.child.exitCode).toBeNull();
    const ok = await send(nginx.plainPort, "/", { headers: { Host: "app.example.test", Authorization: ALICE } });
    expect(ok.status).toBe(200);
  });
});
