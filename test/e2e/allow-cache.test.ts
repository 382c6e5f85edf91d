/**
 * The allow cache behind Debian's nginx configured as ingress-nginx renders auth-url: nginx sends a new X-Request-ID
 * with every auth subrequest, so a repeated request is only ever answered from the cache if that header is left out
 * of the key, and everything else nginx sends must be in it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { startGateBehindNginx } from "./support/gate-behind-nginx.js";
import { basic, send } from "./support/http-client.js";
import type { Nginx } from "./support/nginx.js";
import { stopAll } from "./support/processes.js";
import type { RunningGate } from "./support/rbac-gate.js";
import type { Upstream } from "./support/upstream.js";

// alice (bcrypt) and bob ($apr1$).
const USERS = readFixture("htpasswd/team.htpasswd");
const TTL_MS = 2000;
const CONFIG = `
allowCache: {ttl: ${TTL_MS}ms}
htpasswd: {files: [{name: team, path: users.htpasswd}]}
routes: [{host: app.example.test, htpasswd: team, allow: {users: [alice]}}]
`;
const HOST = { Host: "app.example.test" };

let gate: RunningGate;
let upstream: Upstream;
let nginx: Nginx;
let dir: string;

beforeAll(async () => {
  ({ gate, upstream, nginx, dir } = await startGateBehindNginx({ "config.yaml": CONFIG, "users.htpasswd": USERS }));
});
afterAll(async () => {
  await upstream?.close();
  await stopAll();
});

type Line = Record<string, unknown>;
const decisionsFor = (path: string): Line[] => gate.logs().filter((l) => l.msg === "decision" && l.path === path);
async function waitForDecisions(path: string, count: number): Promise<Line[]> {
  await gate.waitForLog(() => decisionsFor(path).length >= count);
  return decisionsFor(path);
}

describe("allow cache behind nginx", () => {
  it("answers a repeated allowed request from the cache, though nginx gives each its own X-Request-ID", async () => {
    const headers = { ...HOST, Authorization: basic("alice", "alice-pw") };
    const first = await send(nginx.plainPort, "/repeat", { headers });
    const second = await send(nginx.plainPort, "/repeat", { headers });
    expect([first.status, second.status]).toEqual([200, 200]);
    const [one, two] = await waitForDecisions("/repeat", 2);
    expect(one?.requestId).not.toBe(two?.requestId);
    expect(one?.cache).toBeUndefined();
    expect(two).toMatchObject({ decision: "allow", user: "alice", cache: { allow: "hit" } });
    // The app sees the same identity either way.
    const seen = upstream.seen.filter((r) => r.url === "/repeat");
    expect(seen.map((r) => r.headers["x-auth-request-user"])).toEqual(["alice", "alice"]);
  });

  it("never answers another path, method or user from it", async () => {
    const alice = { ...HOST, Authorization: basic("alice", "alice-pw") };
    await send(nginx.plainPort, "/one", { headers: alice });
    await send(nginx.plainPort, "/two", { headers: alice });
    expect((await send(nginx.plainPort, "/one", { method: "DELETE", headers: alice })).status).toBe(200);
    expect(
      (await send(nginx.plainPort, "/one", { headers: { ...HOST, Authorization: basic("bob", "bob-pw") } })).status,
    ).toBe(403);
    expect(
      (await send(nginx.plainPort, "/one", { headers: { ...HOST, Authorization: basic("alice", "nope") } })).status,
    ).toBe(401);
    const lines = await waitForDecisions("/one", 4);
    expect(lines.map((l) => [l.method, l.user ?? null, l.decision, l.cache ?? null])).toEqual([
      ["GET", "alice", "allow", null],
      ["DELETE", "alice", "allow", null],
      ["GET", "bob", "forbidden", null],
      ["GET", null, "unauthenticated", null],
    ]);
    expect((await waitForDecisions("/two", 1))[0]?.cache).toBeUndefined();
  });

  it("a user removed from the htpasswd file is refused once the file is read again and the ttl has passed", async () => {
    const headers = { ...HOST, Authorization: basic("alice", "alice-pw") };
    expect((await send(nginx.plainPort, "/removed", { headers })).status).toBe(200);
    writeFileSync(
      join(dir, "users.htpasswd"),
      USERS.split("\n")
        .filter((line) => !line.startsWith("alice:"))
        .join("\n"),
    );
    // The file is polled every 2 s; the allow remembered for /removed lives TTL_MS at most.
    const deadline = Date.now() + 2000 + TTL_MS + 3000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await send(nginx.plainPort, "/removed", { headers })).status;
    }
    expect(status).toBe(401);
  });
});
