import { describe, expect, it } from "vitest";
import { createBasicAuthenticator } from "../../src/authn/basic.js";
import type { Attempt, CredentialCheck } from "../../src/authn/htpasswd/check.js";
import type { HtpasswdEntry } from "../../src/authn/htpasswd/parse.js";
import { regulatedCheck } from "../../src/authn/htpasswd/regulated-check.js";
import type { HtpasswdStore } from "../../src/authn/htpasswd/store.js";
import { Regulator } from "../../src/authn/regulation.js";
import type { Route } from "../../src/routing/routes.js";
import type { OriginalRequest } from "../../src/vocabulary/types.js";

const ALICE: HtpasswdEntry = { username: "alice", hash: "$2y$05$placeholder", scheme: "bcrypt" };
const store: HtpasswdStore = {
  lookup: (source) =>
    source === "team"
      ? { users: new Map([["alice", ALICE]]), identity: (username) => ({ username, groups: [] }) }
      : undefined,
};
const route = { htpasswd: "team" } as Route;
const from = (clientAddress: string) => ({ clientAddress }) as OriginalRequest;

/** A check that records what it was asked and answers "right" as the only password. */
function recordingCheck() {
  const seen: Array<{ entry: HtpasswdEntry; attempt: Attempt }> = [];
  const check: CredentialCheck = async (password, entry, attempt) => {
    seen.push({ entry, attempt });
    return { kind: password === "right" && entry === ALICE ? "verified" : "wrong" };
  };
  return { seen, check };
}

describe("Basic authenticator", () => {
  it("refuses a password over maxPasswordBytes without checking it", async () => {
    const { seen, check } = recordingCheck();
    const basic = createBasicAuthenticator({ store, check, maxPasswordBytes: 1024 });
    const result = await basic.authenticate(
      { kind: "basic", username: "alice", password: "x".repeat(12 * 1024) },
      route,
      from("10.0.0.1"),
    );
    expect(result).toEqual({ kind: "rejected", reason: "password longer than htpasswd.limits.maxPasswordBytes" });
    // 400 two-byte characters are 800 bytes: within the limit, counted in bytes, not characters.
    await basic.authenticate({ kind: "basic", username: "alice", password: "ä".repeat(512) }, route, from("a"));
    await basic.authenticate({ kind: "basic", username: "alice", password: "ä".repeat(513) }, route, from("a"));
    expect(seen).toHaveLength(1);
  });

  it("checks an unknown name against a bcrypt-10 dummy hash through the same check, and never accepts it", async () => {
    const { seen, check } = recordingCheck();
    const basic = createBasicAuthenticator({ store, check, maxPasswordBytes: 1024 });
    const result = await basic.authenticate(
      { kind: "basic", username: "mallory", password: "right" },
      route,
      from("10.0.0.1"),
    );
    expect(result).toEqual({ kind: "rejected", reason: "unknown user" });
    expect(seen[0]?.entry.hash).toMatch(/^\$2y\$10\$.{53}$/);
    expect(seen[0]?.attempt).toEqual({ source: "team", username: "mallory", known: false, address: "10.0.0.1" });
  });

  it("evaluates at most the per-user limit of a concurrent burst, and refuses the right password after it", async () => {
    const regulator = new Regulator({
      windowMs: 60_000,
      lockoutMs: 300_000,
      maxFailuresPerUser: 5,
      maxFailuresPerAddress: 50,
      maxEntries: 1000,
    });
    let evaluated = 0;
    const slowHash = async (password: string) => {
      evaluated++;
      await new Promise((r) => setTimeout(r, 20));
      return password === "right";
    };
    const basic = createBasicAuthenticator({
      store,
      check: regulatedCheck(slowHash, regulator),
      maxPasswordBytes: 1024,
    });
    const attempt = (password: string) =>
      basic.authenticate({ kind: "basic", username: "alice", password }, route, from("192.0.2.1"));
    const results = await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => attempt(`guess-${i}`)),
      attempt("right"),
    ]);
    expect(evaluated).toBe(5);
    expect(results.at(-1)).toEqual({
      kind: "rejected",
      code: "locked_out",
      reason: "too many failed attempts (user locked out)",
    });
    expect(results.filter((r) => r.kind === "authenticated")).toHaveLength(0);
  });

  it("counts every address of an IPv6 /64 as one client: rotating addresses inside it gains no attempts", async () => {
    const regulator = new Regulator({
      windowMs: 60_000,
      lockoutMs: 300_000,
      maxFailuresPerUser: 1000,
      maxFailuresPerAddress: 10,
      maxEntries: 1000,
    });
    let evaluated = 0;
    const hash = async (password: string) => {
      evaluated++;
      return password === "right";
    };
    const basic = createBasicAuthenticator({ store, check: regulatedCheck(hash, regulator), maxPasswordBytes: 1024 });
    for (let i = 0; i < 50; i++) {
      const address = `2001:db8:7:7:${(i + 1).toString(16)}::1`;
      await basic.authenticate({ kind: "basic", username: "alice", password: `guess-${i}` }, route, from(address));
    }
    expect(evaluated).toBe(10);
    // Another /64 is another client.
    const other = await basic.authenticate(
      { kind: "basic", username: "alice", password: "right" },
      route,
      from("2001:db8:7:8::1"),
    );
    expect(other.kind).toBe("authenticated");
  });
});
