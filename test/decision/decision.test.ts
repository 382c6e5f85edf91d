import { describe, expect, it } from "vitest";
import { answer, renderChallenge } from "../../src/decision/decision.js";
import { encodeGroups, encodeUsername } from "../../src/decision/identity-headers.js";

const names = { user: ["X-Auth-Request-User", "X-Remote-User"], groups: ["X-Auth-Request-Groups", "X-Remote-Group"] };

describe("answer", () => {
  it("allows with every identity header, groups as one comma-separated value", () => {
    const reply = answer({ kind: "allow", user: { username: "alice", groups: ["dev", "ops"] } }, names);
    expect(reply).toEqual({
      status: 200,
      body: "",
      headers: [
        ["X-Auth-Request-User", "alice"],
        ["X-Remote-User", "alice"],
        ["X-Auth-Request-Groups", "dev,ops"],
        ["X-Remote-Group", "dev,ops"],
      ],
    });
  });

  it("answers 401 with a Basic challenge browsers prompt for", () => {
    const reply = answer(
      {
        kind: "unauthenticated",
        code: "no_credentials",
        reason: "no credentials",
        challenge: { realm: "my app", schemes: ["basic"], invalidToken: false },
      },
      names,
    );
    expect(reply.status).toBe(401);
    expect(reply.headers).toEqual([["WWW-Authenticate", 'Basic realm="my app", charset="UTF-8"']]);
  });

  it("answers 403 with a short reason and 500 without detail", () => {
    expect(answer({ kind: "forbidden", code: "no_route", reason: "no route for this host and path" }, names)).toEqual({
      status: 403,
      headers: [],
      body: "Forbidden: no route for this host and path\n",
    });
    expect(answer({ kind: "error", code: "fault", reason: "apiserver down" }, names)).toEqual({
      status: 500,
      headers: [],
      body: "Internal Server Error\n",
    });
  });
});

describe("renderChallenge", () => {
  it("escapes quotes and backslashes in the realm", () => {
    expect(renderChallenge({ realm: 'say "hi" \\o/', schemes: ["basic"], invalidToken: false })).toBe(
      'Basic realm="say \\"hi\\" \\\\o/", charset="UTF-8"',
    );
  });

  it("offers Basic first and Bearer with RFC 6750 invalid_token in one header", () => {
    expect(renderChallenge({ realm: "r", schemes: ["basic", "bearer"], invalidToken: true })).toBe(
      'Basic realm="r", charset="UTF-8", Bearer realm="r", error="invalid_token"',
    );
  });

  it("offers one Bearer challenge when both OIDC and TokenReview read bearer tokens", () => {
    expect(renderChallenge({ realm: "r", schemes: ["basic", "oidc", "bearer"], invalidToken: false })).toBe(
      'Basic realm="r", charset="UTF-8", Bearer realm="r"',
    );
  });
});

describe("identity header values", () => {
  it("passes visible ASCII names unchanged", () => {
    expect(encodeUsername("system:serviceaccount:default:consumer")).toBe("system:serviceaccount:default:consumer");
  });

  it("percent-encodes non-ASCII, spaces, controls and % as UTF-8, so no value carries CR or LF", () => {
    expect(encodeUsername("josé")).toBe("jos%C3%A9");
    expect(encodeUsername("a b")).toBe("a%20b");
    expect(encodeUsername("evil\r\nX-Injected: 1")).toBe("evil%0D%0AX-Injected:%201");
    expect(encodeUsername("100%")).toBe("100%25");
  });

  it("encodes commas inside group names so the list splits unambiguously", () => {
    expect(encodeGroups(["a,b", "c"])).toBe("a%2Cb,c");
    expect(encodeGroups([])).toBe("");
  });
});
