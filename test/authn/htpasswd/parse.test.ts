import { describe, expect, it } from "vitest";
import { parseAuthMap, parseHtpasswd } from "../../../src/authn/htpasswd/parse.js";

const BCRYPT = "$2y$05$MQoV1PVD5GOb.OUb5G/D9epPfHmDg0h/scc4KLOfHg9iN4SYhQuzG";
const APR1 = "$apr1$Q3d5MDGU$QjTc5wSTeX3ZRT6FdelZV0";
const SHA = "{SHA}dWhTM7MN1zXuT22Ki+E/OfMCtKk=";
const allow = { allowWeakSchemes: true };

describe("parseHtpasswd (ingress-nginx auth-file format)", () => {
  it("skips comments and blank lines and tolerates CRLF and trailing whitespace", () => {
    const text = `# users\r\n\r\nalice:${BCRYPT}  \r\n   \n  # indented comment is a bad line\nbob:${APR1}\t\n`;
    const parsed = parseHtpasswd(text, allow);
    expect([...parsed.users.keys()]).toEqual(["alice", "bob"]);
    expect(parsed.users.get("alice")?.hash).toBe(BCRYPT);
    expect(parsed.users.get("bob")?.hash).toBe(APR1);
    expect(parsed.problems).toEqual(['line 5 has no "name:hash" entry']);
  });

  it("ends the hash at the next colon, like nginx, so a trailing comment field is ignored", () => {
    const parsed = parseHtpasswd(`alice:${BCRYPT}:Alice Liddell, room 42\n`, allow);
    expect(parsed.users.get("alice")?.hash).toBe(BCRYPT);
  });

  it("uses the first line of a repeated user and reports the repetition", () => {
    const parsed = parseHtpasswd(`alice:${BCRYPT}\nalice:${APR1}\n`, allow);
    expect(parsed.users.get("alice")?.hash).toBe(BCRYPT);
    expect(parsed.problems).toEqual(['line 2: user "alice" is defined again: the first definition is used']);
  });

  it("names the user of an unrecognized hash and never the hash", () => {
    const parsed = parseHtpasswd("carol:secret-in-clear\n", allow);
    expect(parsed.users.size).toBe(0);
    expect(parsed.problems).toEqual([
      'line 1: user "carol" has an unrecognized password hash: use bcrypt (htpasswd -B)',
    ]);
    expect(parsed.problems.join()).not.toContain("secret-in-clear");
  });

  it("loads weak schemes with their users listed, and refuses them when weak schemes are not allowed", () => {
    const text = `alice:${BCRYPT}\nbob:${APR1}\ndave:${SHA}\n`;
    const loose = parseHtpasswd(text, allow);
    expect(loose.users.size).toBe(3);
    expect(loose.weakUsers).toEqual(["bob", "dave"]);
    const strict = parseHtpasswd(text, { allowWeakSchemes: false });
    expect([...strict.users.keys()]).toEqual(["alice"]);
    expect(strict.problems).toEqual([
      'line 2: user "bob" has a weak apr1 hash: refused because allowWeakSchemes is false',
      'line 3: user "dave" has a weak sha hash: refused because allowWeakSchemes is false',
    ]);
  });

  it("treats __proto__ as an ordinary user name", () => {
    const parsed = parseHtpasswd(`__proto__:${BCRYPT}\n`, allow);
    expect(parsed.users.get("__proto__")?.hash).toBe(BCRYPT);
    expect(parsed.users.get("constructor")).toBeUndefined();
  });
});

describe("parseAuthMap (ingress-nginx auth-map format)", () => {
  it("reads each key as a user and its value as the hash", () => {
    const parsed = parseAuthMap({ alice: `${BCRYPT}\n`, bob: "nope" }, allow);
    expect(parsed.users.get("alice")?.hash).toBe(BCRYPT);
    expect(parsed.problems).toEqual([
      'key "bob": user "bob" has an unrecognized password hash: use bcrypt (htpasswd -B)',
    ]);
  });
});
