/**
 * rbac-gate behind Debian's nginx configured as ingress-nginx renders auth-url, in front of a real upstream.
 * Scenarios are written as the stories of the people and attackers who meet them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { startGateBehindNginx } from "./support/gate-behind-nginx.js";
import { basic, send } from "./support/http-client.js";
import type { Nginx } from "./support/nginx.js";
import { stopAll } from "./support/processes.js";
import type { RunningGate } from "./support/rbac-gate.js";
import type { Upstream } from "./support/upstream.js";

// alice (bcrypt) and bob ($apr1$); the fixture records the htpasswd command of each.
const USERS = readFixture("htpasswd/team.htpasswd");
const CONFIG = `
realm: hello app
htpasswd:
  files:
    - name: team
      path: users.htpasswd
routes:
  - host: app.example.test
    htpasswd: team
    allow: { users: [alice] }
  - host: app.example.test
    path: /public
    htpasswd: team
    allow: { authenticated: true }
`;
const HOST = { Host: "app.example.test" };

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

describe("As a person in a browser", () => {
  it("without credentials, I get the Basic challenge my browser turns into a login prompt", async () => {
    const reply = await send(nginx.plainPort, "/", { headers: HOST });
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe('Basic realm="hello app", charset="UTF-8"');
    expect(upstream.seen).toHaveLength(0);
  });

  it("with my password, I reach the app and the app learns who I am", async () => {
    const reply = await send(nginx.plainPort, "/dashboard?tab=1", {
      headers: { ...HOST, Authorization: basic("alice", "alice-pw") },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("Hello");
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]?.url).toBe("/dashboard?tab=1");
    expect(upstream.seen[0]?.headers["x-auth-request-user"]).toBe("alice");
    expect(upstream.seen[0]?.headers["x-remote-user"]).toBe("alice");
  });

  it("with a wrong password, I am asked again and the app sees nothing", async () => {
    const reply = await send(nginx.plainPort, "/", { headers: { ...HOST, Authorization: basic("alice", "nope") } });
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    expect(upstream.seen).toHaveLength(0);
  });

  it("as a user the route does not list, I get 403 and nginx keeps it a 403", async () => {
    const reply = await send(nginx.plainPort, "/", { headers: { ...HOST, Authorization: basic("bob", "bob-pw") } });
    expect(reply.status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
  });

  it("behind auth-signin, without credentials, I am redirected to sign in", async () => {
    const reply = await send(nginx.signinPort, "/x", { headers: HOST });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe(`http://${gate.address}/signin?rd=http://app.example.test/x`);
  });
});

describe("As an attacker", () => {
  it("my own X-Auth-Request-User and X-Remote-User never reach the app as my identity", async () => {
    const reply = await send(nginx.plainPort, "/public/x", {
      headers: {
        ...HOST,
        Authorization: basic("bob", "bob-pw"),
        "X-Auth-Request-User": "alice",
        "X-Remote-User": "alice",
        "X-Remote-Group": "system:masters",
        "X-Auth-Request-Groups": "system:masters",
      },
    });
    expect(reply.status).toBe(200);
    const seen = upstream.seen[0]?.headers;
    expect(seen?.["x-auth-request-user"]).toBe("bob");
    expect(seen?.["x-remote-user"]).toBe("bob");
    expect(seen?.["x-remote-group"]).toBeUndefined();
    expect(seen?.["x-auth-request-groups"]).toBeUndefined();
  });

  it("without credentials, spoofed identity headers get me nothing but a 401", async () => {
    const reply = await send(nginx.plainPort, "/", { headers: { ...HOST, "X-Auth-Request-User": "alice" } });
    expect(reply.status).toBe(401);
    expect(upstream.seen).toHaveLength(0);
  });

  it("spoofed X-Forwarded-Host and X-Original-URL do not move me to another route", async () => {
    const reply = await send(nginx.plainPort, "/", {
      headers: {
        ...HOST,
        Authorization: basic("bob", "bob-pw"),
        "X-Forwarded-Host": "other.example.test",
        "X-Original-URL": "http://app.example.test/public/",
        "X-Original-URI": "/public/",
      },
    });
    expect(reply.status).toBe(403);
  });

  it.each([["/public/../admin"], ["/public/%2e%2e/admin"], ["//public/..//admin"], ["/public/./../admin/"]])(
    "the path %s is judged as the /admin nginx routes it to",
    async (path) => {
      const reply = await send(nginx.plainPort, path, { headers: { ...HOST, Authorization: basic("bob", "bob-pw") } });
      expect(reply.status).toBe(403);
      expect(upstream.seen).toHaveLength(0);
    },
  );

  it.each([["/public%2F..%2Fadmin"], ["/public/%252e%252e/admin"], ["/public/%c0%ae%c0%ae/admin"]])(
    "the ambiguous path %s is denied, not guessed",
    async (path) => {
      const reply = await send(nginx.plainPort, path, {
        headers: { ...HOST, Authorization: basic("alice", "alice-pw") },
      });
      expect(reply.status).toBe(403);
      expect(upstream.seen).toHaveLength(0);
    },
  );
});
