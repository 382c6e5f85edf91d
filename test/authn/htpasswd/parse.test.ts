import { describe, expect, it } from "vitest";
import { parseAuthMap, parseHtpasswd } from "../../../src/authn/htpasswd/parse.js";
import { DEFAULT_HASH_LIMITS } from "../../../src/authn/htpasswd/schemes.js";

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

describe("parseHtpasswd with hash limits", () => {
  // Made with htpasswd -nb -5 -r ... / openssl passwd: only the parameters matter here, the hash is never checked.
  const sha512 = (rounds: number) => `$6$rounds=${rounds}$saltsalt$${"a".repeat(86)}`;
  const sha256 = (rounds: number) => `$5$rounds=${rounds}$saltsalt$${"a".repeat(43)}`;
  const bcrypt = (cost: number) => `$2y$${String(cost).padStart(2, "0")}$${"a".repeat(53)}`;

  it("refuses SHA-crypt rounds over the limit by line and user, and never names the hash", () => {
    const text = `eve:${sha512(999_999_999)}\nmallory:${sha256(2_000_000)}\nok:${sha512(50_000)}\nplain:$6$saltsalt$${"b".repeat(86)}\n`;
    const parsed = parseHtpasswd(text, allow);
    expect([...parsed.users.keys()]).toEqual(["ok", "plain"]);
    expect(parsed.problems).toEqual([
      'line 1: user "eve" has 999999999 SHA-crypt rounds: the limit is htpasswd.limits.maxShaCryptRounds (50000)',
      'line 2: user "mallory" has 2000000 SHA-crypt rounds: the limit is htpasswd.limits.maxShaCryptRounds (50000)',
    ]);
    expect(parsed.problems.join()).not.toContain("saltsalt");
  });

  it("refuses a bcrypt cost over the limit, and follows configured limits", () => {
    const text = `big:${bcrypt(30)}\nmid:${bcrypt(12)}\n`;
    expect(parseHtpasswd(text, allow).problems).toEqual([
      'line 1: user "big" has a bcrypt cost of 30: the limit is htpasswd.limits.maxBcryptCost (12)',
    ]);
    const strict = parseHtpasswd(text, { ...allow, limits: { ...DEFAULT_HASH_LIMITS, maxBcryptCost: 10 } });
    expect(strict.users.size).toBe(0);
    expect(strict.problems[1]).toBe(
      'line 2: user "mid" has a bcrypt cost of 12: the limit is htpasswd.limits.maxBcryptCost (10)',
    );
  });

  it("refuses a line over maxLineBytes by its user without reading the rest, and loads the others", () => {
    const text = `alice:${BCRYPT}\nbob:${"x".repeat(5000)}\n${" ".repeat(120 * 1024)}\ncarol:${APR1}\n`;
    const parsed = parseHtpasswd(text, allow);
    expect([...parsed.users.keys()]).toEqual(["alice", "carol"]);
    expect(parsed.problems).toEqual([
      'line 2: user "bob" has 5004 bytes: the limit is htpasswd.limits.maxLineBytes (4096)',
      "line 3 has 122880 bytes: the limit is htpasswd.limits.maxLineBytes (4096)",
    ]);
  });

  it("parses a 120 KB whitespace line in linear time", () => {
    const hostile = `alice:${BCRYPT}${" \t".repeat(60 * 1024)}x\n`;
    const started = performance.now();
    const parsed = parseHtpasswd(hostile, { ...allow, limits: { ...DEFAULT_HASH_LIMITS, maxLineBytes: 1 << 20 } });
    expect(performance.now() - started).toBeLessThan(100);
    expect(parsed.users.size).toBe(0);
    expect(parsed.problems[0]).toMatch(/^line 1: user "alice" has an unrecognized password hash/);
  });
});

describe("parseAuthMap (ingress-nginx auth-map format)", () => {
  it("refuses values over the limits by key", () => {
    const parsed = parseAuthMap({ alice: BCRYPT, bob: "x".repeat(5000), carol: `$2y$31$${"a".repeat(53)}` }, allow);
    expect([...parsed.users.keys()]).toEqual(["alice"]);
    expect(parsed.problems).toEqual([
      'key "bob" has 5000 bytes: the limit is htpasswd.limits.maxLineBytes (4096)',
      'key "carol": user "carol" has a bcrypt cost of 31: the limit is htpasswd.limits.maxBcryptCost (12)',
    ]);
  });

  it("reads each key as a user and its value as the hash", () => {
    const parsed = parseAuthMap({ alice: `${BCRYPT}\n`, bob: "nope" }, allow);
    expect(parsed.users.get("alice")?.hash).toBe(BCRYPT);
    expect(parsed.problems).toEqual([
      'key "bob": user "bob" has an unrecognized password hash: use bcrypt (htpasswd -B)',
    ]);
  });
});
