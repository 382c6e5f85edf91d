/**
 * Properties of the htpasswd parser over adversarial tenant content (lengths, whitespace, hash parameters): it
 * never throws, its time grows linearly with the text, every entry it loads is within the hash limits, and no
 * problem it reports quotes a hash.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAuthMap, parseHtpasswd } from "../../../src/authn/htpasswd/parse.js";
import { DEFAULT_HASH_LIMITS, type HashLimits } from "../../../src/authn/htpasswd/schemes.js";

const CRYPT64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const crypt64 = (n: number) => fc.string({ unit: fc.constantFrom(...CRYPT64), minLength: n, maxLength: n });
/** A salt no problem may ever quote. */
const SALT = "Zq9SALTzq";
const whitespace = fc.string({
  unit: fc.constantFrom(" ", "\t", "\r", "\v", "\f", "\u00a0", "\u2028"),
  maxLength: 300,
});
const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/), fc.string({ maxLength: 20 }));
const hash = fc.oneof(
  fc
    .tuple(fc.integer({ min: 4, max: 31 }), crypt64(53))
    .map(([cost, rest]) => `$2y$${String(cost).padStart(2, "0")}$${rest}`),
  fc
    .tuple(fc.constantFrom("5", "6"), fc.option(fc.integer({ min: 1000, max: 999_999_999 })), fc.boolean())
    .chain(([id, rounds, _]) =>
      crypt64(id === "5" ? 43 : 86).map(
        (digest) => `$${id}$${rounds === null ? "" : `rounds=${rounds}$`}${SALT}$${digest}`,
      ),
    ),
  crypt64(22).map((d) => `$apr1$${SALT.slice(0, 8)}$${d}`),
  fc.string({ maxLength: 80 }),
);
const line = fc.oneof(
  fc
    .tuple(name, hash, fc.option(fc.string({ maxLength: 30 })), whitespace)
    .map(([n, h, comment, ws]) => `${n}:${h}${comment === null ? "" : `:${comment}`}${ws}`),
  whitespace,
  // A long run of whitespace ending in something else made /\s+$/ quadratic (15 s for 120 KB).
  fc
    .tuple(fc.integer({ min: 1, max: 150_000 }), fc.constantFrom("", "x", ":", "a:b"))
    .map(([n, end]) => `${" \t".repeat(n / 2)}${end}`),
  fc.tuple(name, fc.integer({ min: 1, max: 20_000 })).map(([n, len]) => `${n}:${"x".repeat(len)}`),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constant("# comment"),
);
const text = fc.array(line, { maxLength: 20 }).map((lines) => lines.join("\n"));
const limits = fc.record<HashLimits>({
  maxBcryptCost: fc.integer({ min: 4, max: 31 }),
  maxShaCryptRounds: fc.integer({ min: 1000, max: 999_999_999 }),
  maxLineBytes: fc.integer({ min: 256, max: 1 << 20 }),
  maxPasswordBytes: fc.constant(DEFAULT_HASH_LIMITS.maxPasswordBytes),
});

/** Checks that every loaded entry is within limits. */
function withinLimits(hashText: string, l: HashLimits): boolean {
  const bcrypt = /^\$2[aby]\$(\d\d)\$/.exec(hashText);
  if (bcrypt) return Number(bcrypt[1]) <= l.maxBcryptCost;
  const rounds = /^\$[56]\$rounds=(\d+)\$/.exec(hashText);
  return rounds ? Number(rounds[1]) <= l.maxShaCryptRounds : true;
}

describe("htpasswd parser properties", () => {
  it("never throws, loads only entries within the limits, and never quotes a hash in a problem", () => {
    fc.assert(
      fc.property(text, limits, fc.boolean(), (t, l, allowWeakSchemes) => {
        const parsed = parseHtpasswd(t, { allowWeakSchemes, limits: l });
        for (const entry of parsed.users.values()) {
          expect(withinLimits(entry.hash, l)).toBe(true);
          expect(Buffer.byteLength(`${entry.username}:${entry.hash}`)).toBeLessThanOrEqual(l.maxLineBytes);
        }
        for (const problem of parsed.problems) expect(problem).not.toContain(SALT);
        const map = Object.fromEntries(t.split("\n").map((x, i) => [`k${i}`, x]));
        for (const entry of parseAuthMap(map, { allowWeakSchemes, limits: l }).users.values()) {
          expect(withinLimits(entry.hash, l)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("takes time linear in the text: a megabyte of hostile lines parses in well under a second", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 5, maxLength: 40 }), (lines) => {
        const t = lines.join("\n").repeat(Math.max(1, Math.floor(1_000_000 / (lines.join("\n").length + 1))));
        const started = performance.now();
        parseHtpasswd(t, { allowWeakSchemes: true, limits: { ...DEFAULT_HASH_LIMITS, maxLineBytes: 1 << 20 } });
        expect(performance.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 15 },
    );
  });
});
