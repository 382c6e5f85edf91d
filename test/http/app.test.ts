import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { createKeyedDigest } from "../../src/cache/secret-key.js";
import type { DecisionRecord, Gate } from "../../src/decision/gate.js";
import { createApp } from "../../src/http/app.js";
import type { AuditLog } from "../../src/http/audit.js";
import { createRepeatedAllows, type RepeatedAllows } from "../../src/http/repeated-allows.js";
import { DIALECTS } from "../../src/request/dialects/table.js";

const ALLOW: DecisionRecord = { decision: { kind: "allow", user: { username: "alice", groups: [] } } };
const ORIGINAL = { "X-Original-URL": "https://app.example.com/", "X-Original-Method": "GET" };

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** The ingress-nginx endpoint over a gate that allows everyone, with the audit log and allow cache given. */
function serve(audit: AuditLog, repeats: RepeatedAllows) {
  let decided = 0;
  const gate: Gate = async () => {
    decided++;
    return ALLOW;
  };
  const listener = createApp({
    endpoints: [{ dialect: DIALECTS[0] as (typeof DIALECTS)[0], gate }],
    identityHeaders: { user: ["X-Auth-Request-User"], groups: ["X-Auth-Request-Groups"] },
    audit,
    ready: () => true,
    repeats,
  });
  // One listening server: the Host line stays the same, so a repeated request is an identical one.
  const server = createServer(listener).listen(0);
  servers.push(server);
  const ask = () =>
    request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      .get("/auth?host=app.example.com")
      .set(ORIGINAL);
  return { ask, decided: () => decided };
}

const repeatedAllows = () =>
  createRepeatedAllows({ ttlMs: 60_000, maxEntries: 10, digest: createKeyedDigest(Buffer.alloc(32, 1)) });

describe("the auth endpoints' listener", () => {
  it("keeps serving when writing the audit line fails, for a decided allow and for one answered from memory", async () => {
    const failingAudit: AuditLog = () => {
      throw new Error("log destination gone");
    };
    const { ask, decided } = serve(failingAudit, repeatedAllows());
    // The first runs the pipeline (its fault is a rejected promise), the next two are answered from memory before
    // the listener returns (their fault is thrown): all three were answered before the audit line was attempted.
    for (let i = 0; i < 3; i++) {
      const res = await ask();
      expect(res.status).toBe(200);
      expect(res.headers["x-auth-request-user"]).toBe("alice");
    }
    expect(decided()).toBe(1);
  });

  it("fails closed with 500 when the allow cache fails before anything was answered", async () => {
    const broken: RepeatedAllows = {
      keyOf: () => {
        throw new Error("digest unavailable");
      },
      get: () => undefined,
      set: () => undefined,
    };
    const { ask, decided } = serve(() => undefined, broken);
    expect((await ask()).status).toBe(500);
    expect((await ask()).status).toBe(500);
    expect(decided()).toBe(0);
  });
});
