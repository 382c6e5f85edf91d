import { describe, expect, it } from "vitest";
import { createAuditLog } from "../../src/http/audit.js";
import { memoryLogger } from "../support/service.js";

const allow = { decision: { kind: "allow" as const, user: { username: "alice", groups: ["dev"] } } };
const deny = {
  decision: {
    kind: "forbidden" as const,
    code: "denied" as const,
    reason: "no",
    user: { username: "bob", groups: [] },
  },
};

describe("audit log", () => {
  it("writes one line per decision with who, what and why", () => {
    const { logger, lines } = memoryLogger("info");
    const audit = createAuditLog(logger, { allowSampleRate: 1 });
    audit(
      "ingress-nginx",
      {
        ...allow,
        request: { method: "GET", host: "a.example.com", path: "/x", clientAddress: "192.0.2.1" },
        authorization: { nonResourceAttributes: { path: "/a.example.com/x", verb: "get" }, cache: "hit" },
      },
      200,
      () => "req-1",
      1.234,
    );
    expect(lines()[0]).toMatchObject({
      msg: "decision",
      level: "info",
      requestId: "req-1",
      dialect: "ingress-nginx",
      method: "GET",
      host: "a.example.com",
      path: "/x",
      clientAddress: "192.0.2.1",
      user: "alice",
      groups: ["dev"],
      nonResourceAttributes: { path: "/a.example.com/x", verb: "get" },
      decision: "allow",
      cache: { decision: "hit" },
      status: 200,
      ms: 1.23,
    });
  });

  it("samples allow lines at the configured rate and always writes denials", () => {
    const { logger, lines } = memoryLogger("info");
    let i = 0;
    const audit = createAuditLog(logger, { allowSampleRate: 0.25, random: () => (i++ % 4) / 4 });
    let asked = 0;
    const requestId = () => {
      asked++;
      return undefined;
    };
    for (let n = 0; n < 8; n++) audit("ingress-nginx", allow, 200, requestId, 1);
    for (let n = 0; n < 3; n++) audit("ingress-nginx", deny, 403, requestId, 1);
    expect(lines().filter((l) => l.decision === "allow")).toHaveLength(2);
    expect(lines().filter((l) => l.decision === "forbidden")).toHaveLength(3);
    // The request id is read for written lines only: an unsampled allow never builds the request's headers.
    expect(asked).toBe(5);
  });

  it("drops a request id that could forge log structure", () => {
    const { logger, lines } = memoryLogger("info");
    createAuditLog(logger, { allowSampleRate: 1 })("ingress-nginx", deny, 403, () => "a\nb", 1);
    expect(lines()[0]?.requestId).toBeUndefined();
  });

  it("says an answer came from the allow cache, and names no other cache for it", () => {
    const { logger, lines } = memoryLogger("info");
    const audit = createAuditLog(logger, { allowSampleRate: 1 });
    audit("ingress-nginx", { ...allow, answeredBy: "allowCache" }, 200, () => "req-2", 0.01);
    expect(lines()[0]).toMatchObject({ decision: "allow", cache: { allow: "hit" } });
  });
});
