import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Regulator } from "../../src/authn/regulation.js";
import { readFixture } from "../support/fixtures.js";
import { serviceFromFiles } from "../support/service.js";

describe("Regulator", () => {
  const setup = () => {
    let now = 0;
    const lockouts: string[] = [];
    const regulator = new Regulator({
      windowMs: 60_000,
      lockoutMs: 300_000,
      maxFailuresPerUser: 3,
      maxFailuresPerAddress: 10,
      maxEntries: 1000,
      now: () => now,
      onLockout: (kind) => lockouts.push(kind),
    });
    const attempt = (user: string, address: string | undefined, verified: boolean) => {
      expect(regulator.reserveNow(user, address)).toBeUndefined();
      regulator.settleNow(user, address, verified);
    };
    return {
      regulator,
      lockouts,
      advance: (ms: number) => (now += ms),
      fail: (user: string, address: string | undefined) => attempt(user, address, false),
      succeed: (user: string) => attempt(user, undefined, true),
    };
  };

  it("locks a user out after N failures within the window, and releases them after the lockout", () => {
    const t = setup();
    for (let i = 0; i < 2; i++) t.fail("alice", "10.0.0.1");
    expect(t.regulator.locked("alice", "10.0.0.1")).toBeUndefined();
    t.fail("alice", "10.0.0.1");
    expect(t.regulator.locked("alice", "10.0.0.2")).toBe("user");
    expect(t.lockouts).toEqual(["user"]);
    t.advance(299_999);
    expect(t.regulator.locked("alice", undefined)).toBe("user");
    t.advance(1);
    expect(t.regulator.locked("alice", undefined)).toBeUndefined();
  });

  it("forgets failures older than the window", () => {
    const t = setup();
    t.fail("alice", undefined);
    t.fail("alice", undefined);
    t.advance(60_000);
    t.fail("alice", undefined);
    expect(t.regulator.locked("alice", undefined)).toBeUndefined();
  });

  it("locks an address that sprays many users, without locking those users elsewhere", () => {
    const t = setup();
    for (let i = 0; i < 10; i++) t.fail(`user${i}`, "10.0.0.9");
    expect(t.regulator.locked("someone-new", "10.0.0.9")).toBe("address");
    expect(t.regulator.locked("user1", "10.0.0.1")).toBeUndefined();
  });

  it("clears a user's count on success", () => {
    const t = setup();
    t.fail("alice", undefined);
    t.fail("alice", undefined);
    t.succeed("alice");
    t.fail("alice", undefined);
    expect(t.regulator.locked("alice", undefined)).toBeUndefined();
  });

  it("counts attempts in flight: past the limit's worth of reservations, the next is refused before any hash", () => {
    const t = setup();
    for (let i = 0; i < 3; i++) expect(t.regulator.reserveNow("alice", "10.0.0.1")).toBeUndefined();
    expect(t.regulator.reserveNow("alice", "10.0.0.1")).toBe("user");
    for (let i = 0; i < 3; i++) t.regulator.settleNow("alice", "10.0.0.1", false);
    expect(t.lockouts).toEqual(["user"]);
    expect(t.regulator.reserveNow("alice", "10.0.0.2")).toBe("user");
  });

  it("gives a successful attempt back to its address but keeps the address's failures", () => {
    const t = setup();
    for (let i = 0; i < 9; i++) t.fail(`user${i}`, "10.0.0.9");
    for (let i = 0; i < 5; i++) {
      expect(t.regulator.reserveNow("bob", "10.0.0.9")).toBeUndefined();
      t.regulator.settleNow("bob", "10.0.0.9", true);
    }
    t.fail("someone", "10.0.0.9");
    expect(t.regulator.locked(undefined, "10.0.0.9")).toBe("address");
  });

  it("stays bounded under a spray of distinct users and addresses", () => {
    const t = setup();
    for (let i = 0; i < 50_000; i++) t.fail(`u${i}`, `a${i}`);
    expect(t.regulator.size).toBe(1000);
  });
});

// alice (bcrypt) and bob ($apr1$); the fixture records the htpasswd command of each.
const USERS = readFixture("htpasswd/team.htpasswd");
const CONFIG = `
htpasswd: {files: [{name: team, path: users.htpasswd}]}
regulation: {maxFailuresPerUser: 3, maxFailuresPerAddress: 100, window: 1m, lockout: 1s}
routes: [{host: app.example.com, htpasswd: team, allow: {authenticated: true}}]
`;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

describe("Basic auth with regulation, through the endpoint", () => {
  let service: Awaited<ReturnType<typeof serviceFromFiles>>;
  beforeAll(async () => {
    service = await serviceFromFiles({ "config.yaml": CONFIG, "users.htpasswd": USERS });
  });
  afterAll(() => service.close());
  const auth = (user: string, password: string, address = "192.0.2.10") =>
    request(service.app)
      .get("/auth?host=app.example.com")
      .set("X-Original-URL", "http://app.example.com/")
      .set("X-Original-Method", "GET")
      .set("X-Real-IP", address)
      .set("Authorization", basic(user, password));

  it("locks out after N failures, refuses the correct password during the lockout, spares other users, and releases", async () => {
    for (let i = 0; i < 3; i++) expect((await auth("alice", "guess")).status).toBe(401);
    const during = await auth("alice", "alice-pw");
    expect(during.status).toBe(401);
    expect(during.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    expect((await auth("bob", "bob-pw")).status).toBe(200);
    // Invented names count against the address only: they lock no one.
    for (let i = 0; i < 5; i++) expect((await auth(`ghost${i}`, "x")).status).toBe(401);
    expect((await auth("bob", "bob-pw")).status).toBe(200);
    const line = service.logs().find((l) => l.reason === "too many failed attempts (user locked out)");
    expect(line).toBeDefined();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await auth("alice", "alice-pw")).status).toBe(200);
  });
});
