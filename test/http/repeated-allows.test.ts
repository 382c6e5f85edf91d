import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { createKeyedDigest } from "../../src/cache/secret-key.js";
import type { DecisionInput, DecisionRecord } from "../../src/decision/gate.js";
import type { AuditLog } from "../../src/http/audit.js";
import { authEndpoint } from "../../src/http/auth-endpoint.js";
import {
  createRepeatedAllows,
  keptAllow,
  MAX_ENTRY_CHARS,
  type RepeatedAllows,
} from "../../src/http/repeated-allows.js";

const KEY = Buffer.alloc(32, 3);
const repeatedAllows = (ttlMs = 1000, maxEntries = 100) =>
  createRepeatedAllows({ ttlMs, maxEntries, digest: createKeyedDigest(KEY) });
const ALICE = "Basic YWxpY2U6YWxpY2UtcHc="; // alice:alice-pw
const MALLORY = "Basic bWFsbG9yeTp4"; // mallory:x

/** A gate that allows alice and nobody else, counting how often it decides. */
function countingGate() {
  const inputs: DecisionInput[] = [];
  const gate = async (input: DecisionInput): Promise<DecisionRecord> => {
    inputs.push(input);
    return input.authorization[0] === ALICE
      ? { decision: { kind: "allow", user: { username: "alice", groups: ["dev"] } } }
      : {
          decision: {
            kind: "unauthenticated",
            code: "bad_credentials",
            reason: "no",
            challenge: { realm: "r", schemes: ["basic"], invalidToken: false },
          },
        };
  };
  return { gate, inputs };
}

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

function endpoint(repeats: RepeatedAllows | undefined) {
  const { gate, inputs } = countingGate();
  const audited: Array<{ status: number; requestId: string | undefined; user?: string }> = [];
  const audit: AuditLog = (_dialect, record, status, requestId) =>
    audited.push({
      status,
      requestId: requestId(),
      ...(record.decision.kind === "allow" ? { user: record.decision.user.username } : {}),
    });
  const handle = authEndpoint({
    dialect: "ingress-nginx",
    bodyReachesClient: false,
    gate,
    identityHeaders: { user: ["X-Auth-Request-User"], groups: ["X-Auth-Request-Groups"] },
    audit,
    ...(repeats ? { repeats } : {}),
  });
  // One listening server: supertest would otherwise listen anew per request, and the Host line would differ.
  const server = createServer((req: IncomingMessage, res: ServerResponse) => void handle(req, res)).listen(0);
  servers.push(server);
  const ask = (headers: Record<string, string>, path = "/auth") => {
    let r = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get(path);
    for (const [name, value] of Object.entries(headers)) r = r.set(name, value);
    return r;
  };
  return { ask, inputs, audited };
}

const ALLOW: DecisionRecord = { decision: { kind: "allow", user: { username: "a", groups: [] } } };
const ORIGINAL = { "X-Original-URL": "https://app.example.com/", "X-Original-Method": "GET" };

describe("allows remembered for identical requests (allowCache)", () => {
  it("answers an identical allowed request from memory with the same identity: the pipeline runs once", async () => {
    const { ask, inputs, audited } = endpoint(repeatedAllows());
    const first = await ask({ ...ORIGINAL, Authorization: ALICE, "X-Request-ID": "one" });
    const second = await ask({ ...ORIGINAL, Authorization: ALICE, "X-Request-ID": "two" });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers["x-auth-request-user"]).toBe("alice");
    expect(second.headers["x-auth-request-groups"]).toBe("dev");
    expect(inputs).toHaveLength(1);
    // The answer from memory is audited with its own request ID.
    expect(audited).toEqual([
      { status: 200, requestId: "one", user: "alice" },
      { status: 200, requestId: "two", user: "alice" },
    ]);
  });

  it("never remembers a denial: every 401 runs the pipeline (regulation counts each failure)", async () => {
    const { ask, inputs } = endpoint(repeatedAllows());
    for (let i = 0; i < 3; i++) expect((await ask({ ...ORIGINAL, Authorization: MALLORY })).status).toBe(401);
    expect(inputs).toHaveLength(3);
  });

  it("runs the pipeline for a request that differs in any header line, the method or the target", async () => {
    const { ask, inputs } = endpoint(repeatedAllows());
    await ask({ ...ORIGINAL, Authorization: ALICE });
    const variants: Array<[Record<string, string>, string?]> = [
      [{ ...ORIGINAL, "X-Original-URL": "https://app.example.com/admin", Authorization: ALICE }],
      [{ ...ORIGINAL, "X-Original-Method": "DELETE", Authorization: ALICE }],
      [{ ...ORIGINAL, Authorization: ALICE, "X-Forwarded-For": "192.0.2.7" }],
      [{ ...ORIGINAL, Authorization: ALICE, "ssl-client-cert": "x" }],
      [{ ...ORIGINAL, Authorization: ALICE }, "/auth?host=other.example.com"],
    ];
    for (const [headers, path] of variants) await ask(headers, path);
    expect(inputs).toHaveLength(1 + variants.length);
    // A wrong password for a remembered user is never answered from memory.
    expect((await ask({ ...ORIGINAL, Authorization: MALLORY })).status).toBe(401);
  });

  it("forgets an allow after ttl", () => {
    const repeats = repeatedAllows(1000);
    repeats.set("k", ALLOW, [], 5000);
    expect(repeats.get("k", 5999)?.record.decision).toEqual(ALLOW.decision);
    expect(repeats.get("k", 6000)).toBeUndefined();
    expect(repeats.get("k", 5500)).toBeUndefined(); // gone once expired
  });

  it("holds at most maxEntries, the oldest going first", () => {
    const repeats = repeatedAllows(60_000, 2);
    repeats.set("a", ALLOW, [], 0);
    repeats.set("b", ALLOW, [], 1);
    repeats.set("c", ALLOW, [], 2);
    expect(repeats.get("a", 3)).toBeUndefined();
    expect(repeats.get("b", 3)).toBeDefined();
    expect(repeats.get("c", 3)).toBeDefined();
    // Stored again, "b" is young: the slot it first had does not take it away.
    repeats.set("b", ALLOW, [], 4);
    repeats.set("d", ALLOW, [], 5);
    expect(repeats.get("b", 6)).toBeDefined();
    expect(repeats.get("c", 6)).toBeUndefined();
    expect(repeats.get("d", 6)).toBeDefined();
  });

  it("stays at maxEntries under a stream of new keys, each set in constant time", () => {
    const repeats = repeatedAllows(60_000, 1000);
    for (let i = 0; i < 200_000; i++) repeats.set(`k${i}`, ALLOW, [], i);
    let held = 0;
    for (let i = 0; i < 200_000; i++) if (repeats.get(`k${i}`, 200_000)) held++;
    expect(held).toBe(1000);
    expect(repeats.get("k199999", 200_000)).toBeDefined();
    expect(repeats.get("k198999", 200_000)).toBeUndefined();
  });

  it("gives a request the same key after a longer one as in a fresh cache: nothing of the longer one is left in it", () => {
    const short = ["Host", "a", "Authorization", ALICE];
    const long = [...short, "X-Original-URL", "https://app.example.com/x", "X-Extra", "1", "X-More", "2"];
    const used = repeatedAllows();
    used.keyOf("GET", "/auth", long);
    expect(used.keyOf("GET", "/auth", short)).toBe(repeatedAllows().keyOf("GET", "/auth", short));
    expect(used.keyOf("GET", "/auth", long)).toBe(repeatedAllows().keyOf("GET", "/auth", long));
  });

  it("digests method, target and each header line's name and value, each prefixed with its length, long ones too", () => {
    const long = `Bearer ${"t".repeat(1100)}`;
    const key = repeatedAllows().keyOf("GET", "/auth?x=1", ["Host", "a", "X-Request-ID", "9", "Authorization", long]);
    const message = `3:GET9:/auth?x=14:Host1:a13:Authorization1107:${long}`;
    expect(key).toBe(createKeyedDigest(KEY)(message));
    const [y, z] = ["y".repeat(1023), "z".repeat(1024)];
    expect(repeatedAllows().keyOf("GET", "/", ["X", y, "X", z])).toBe(
      createKeyedDigest(KEY)(`3:GET1:/1:X1023:${y}1:X1024:${z}`),
    );
  });

  it("keys by every header line as sent, except the request ID, under a keyed digest holding no credential", () => {
    const repeats = repeatedAllows();
    const raw = ["Authorization", ALICE, "X-Request-ID", "1"];
    const key = repeats.keyOf("GET", "/auth", raw);
    expect(key).not.toContain(ALICE.slice(6));
    expect(repeats.keyOf("GET", "/auth", ["Authorization", ALICE, "x-request-id", "2"])).toBe(key);
    expect(repeats.keyOf("GET", "/auth", ["Authorization", ALICE])).toBe(key);
    // A repeated Authorization line, another spelling of a name, a moved boundary: each is another request.
    expect(repeats.keyOf("GET", "/auth", ["Authorization", ALICE, "Authorization", ALICE])).not.toBe(key);
    expect(repeats.keyOf("GET", "/auth", ["authorization", ALICE])).not.toBe(key);
    expect(repeats.keyOf("GET", "/a", ["uthorization", ALICE])).not.toBe(
      repeats.keyOf("GET", "/au", ["thorization", ALICE]),
    );
    // Another process (another random key) derives other keys.
    const other = createRepeatedAllows({ ttlMs: 1000, maxEntries: 10, digest: createKeyedDigest() });
    expect(other.keyOf("GET", "/auth", raw)).not.toBe(key);
  });

  it("keeps only what a hit needs, marked as answered by this cache, and nothing of an allow with long strings", () => {
    const record: DecisionRecord = {
      decision: { kind: "allow", user: { username: "alice", groups: ["dev"] } },
      request: { method: "GET", host: "app.example.com", path: "/x", clientAddress: "192.0.2.1", routingPaths: ["/x"] },
      authentication: { cache: "miss" },
      authorization: {
        nonResourceAttributes: { path: "/app.example.com/x", verb: "get" },
        reason: "rbac",
        cache: "miss",
      },
    };
    expect(keptAllow(record, ["X-Auth-Request-User", "alice"])).toEqual({
      record: {
        decision: record.decision,
        request: { method: "GET", host: "app.example.com", path: "/x", clientAddress: "192.0.2.1" },
        authorization: { nonResourceAttributes: { path: "/app.example.com/x", verb: "get" } },
        answeredBy: "allowCache",
      },
      head: ["X-Auth-Request-User", "alice"],
    });
    const long = "/a".repeat(MAX_ENTRY_CHARS / 2);
    const longRecord = { ...record, request: { method: "GET", host: "app.example.com", path: long } };
    expect(keptAllow(longRecord, [])).toBeUndefined();
    const repeats = repeatedAllows();
    repeats.set("long", longRecord, [], 0);
    expect(repeats.get("long", 1)).toBeUndefined();
    // The identity counts too, extra included (TokenReview's user.extra).
    const extra = { "example.com/notes": ["x".repeat(MAX_ENTRY_CHARS)] };
    const bigIdentity: DecisionRecord = { decision: { kind: "allow", user: { username: "u", groups: [], extra } } };
    expect(keptAllow(bigIdentity, [])).toBeUndefined();
    const denial: DecisionRecord = { decision: { kind: "forbidden", code: "denied", reason: "no" } };
    repeats.set("denied", denial, [], 0);
    expect(repeats.get("denied", 1)).toBeUndefined();
  });

  it("is off without a cache: every request runs the pipeline", async () => {
    const { ask, inputs } = endpoint(undefined);
    await ask({ ...ORIGINAL, Authorization: ALICE });
    await ask({ ...ORIGINAL, Authorization: ALICE });
    expect(inputs).toHaveLength(2);
  });
});
