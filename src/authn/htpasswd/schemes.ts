/**
 * The password hash schemes nginx's auth_basic accepts (ngx_crypt.c handles $apr1$, {PLAIN}, {SHA} and {SSHA}
 * itself and hands the rest to libc crypt(3)), recognized by their prefix.
 */

export type HashScheme =
  | "bcrypt"
  | "sha512-crypt"
  | "sha256-crypt"
  | "apr1"
  | "md5-crypt"
  | "ssha"
  | "sha"
  | "des-crypt"
  | "plain";

/**
 * Fast or unsalted schemes: an offline attacker with the Secret recovers passwords from them quickly.
 * They load with a warning, and are refused when htpasswd.allowWeakSchemes is false.
 */
export const WEAK_SCHEMES: ReadonlySet<HashScheme> = new Set([
  "apr1",
  "md5-crypt",
  "ssha",
  "sha",
  "des-crypt",
  "plain",
]);

const B64 = "[A-Za-z0-9+/]+={0,2}";
const CRYPT64 = "[./0-9A-Za-z]";

const RECOGNIZED: ReadonlyArray<readonly [RegExp, HashScheme]> = [
  [new RegExp(`^\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$${CRYPT64}{53}$`), "bcrypt"],
  [new RegExp(`^\\$6\\$(rounds=[1-9][0-9]{3,8}\\$)?[^$:]{0,16}\\$${CRYPT64}{86}$`), "sha512-crypt"],
  [new RegExp(`^\\$5\\$(rounds=[1-9][0-9]{3,8}\\$)?[^$:]{0,16}\\$${CRYPT64}{43}$`), "sha256-crypt"],
  [new RegExp(`^\\$apr1\\$[^$:]{0,8}\\$${CRYPT64}{22}$`), "apr1"],
  [new RegExp(`^\\$1\\$[^$:]{0,8}\\$${CRYPT64}{22}$`), "md5-crypt"],
  [new RegExp(`^\\{SSHA\\}${B64}$`), "ssha"],
  [new RegExp(`^\\{SHA\\}${B64}$`), "sha"],
  [new RegExp(`^${CRYPT64}{13}$`), "des-crypt"],
  [/^\{PLAIN\}/, "plain"],
];

/** Prefixes of schemes libxcrypt knows but no maintained JavaScript library verifies. */
const UNSUPPORTED: ReadonlyArray<readonly [string, string]> = [
  ["$y$", "yescrypt ($y$)"],
  ["$gy$", "gost-yescrypt ($gy$)"],
  ["$7$", "scrypt ($7$)"],
  ["$2x$", "bcrypt with the pre-2011 bug ($2x$)"],
  ["$sha1$", "sha1crypt ($sha1$)"],
  ["$md5", "SunMD5 ($md5$)"],
  ["_", "BSDi extended DES"],
];

/**
 * Bounds on what one entry may cost to check. A tenant writes the hash, so its work parameters are untrusted:
 * without bounds one bcrypt cost-30 or SHA-crypt rounds=999999999 entry stalls or kills the gate for everyone.
 */
export interface HashLimits {
  readonly maxBcryptCost: number;
  readonly maxShaCryptRounds: number;
  /** Longer lines (or auth-map values) are refused before they are looked at further. */
  readonly maxLineBytes: number;
  /** A longer password is refused without hashing: SHA-crypt's work grows with the password's length. */
  readonly maxPasswordBytes: number;
}

/**
 * Defaults: bcrypt 12 takes ~0.25 s on one core (htpasswd -B makes 5, most tools 10); SHA-crypt's standard is
 * 5,000 rounds and 50,000 take ~0.35 s with a password of maxPasswordBytes; a line of a long name and a bcrypt
 * hash is under 400 bytes.
 */
export const DEFAULT_HASH_LIMITS: HashLimits = Object.freeze({
  maxBcryptCost: 12,
  maxShaCryptRounds: 50_000,
  maxLineBytes: 4096,
  maxPasswordBytes: 1024,
});

/** SHA-crypt's rounds when the hash does not say (the specification's default). */
const DEFAULT_SHA_CRYPT_ROUNDS = 5000;

/** Why a recognized hash costs more than limits allow, or undefined. Says the parameter, never the hash. */
export function exceedsLimits(hash: string, scheme: HashScheme, limits: HashLimits): string | undefined {
  if (scheme === "bcrypt") {
    const cost = Number(hash.slice(4, 6));
    return cost > limits.maxBcryptCost
      ? `a bcrypt cost of ${cost}: the limit is htpasswd.limits.maxBcryptCost (${limits.maxBcryptCost})`
      : undefined;
  }
  if (scheme === "sha256-crypt" || scheme === "sha512-crypt") {
    const match = /^\$[56]\$rounds=([0-9]+)\$/.exec(hash);
    const rounds = match ? Number(match[1]) : DEFAULT_SHA_CRYPT_ROUNDS;
    return rounds > limits.maxShaCryptRounds
      ? `${rounds} SHA-crypt rounds: the limit is htpasswd.limits.maxShaCryptRounds (${limits.maxShaCryptRounds})`
      : undefined;
  }
  return undefined;
}

export type SchemeDetection =
  | { readonly ok: true; readonly scheme: HashScheme }
  | { readonly ok: false; readonly problem: string };

export function detectScheme(hash: string): SchemeDetection {
  for (const [pattern, scheme] of RECOGNIZED) if (pattern.test(hash)) return { ok: true, scheme };
  for (const [prefix, name] of UNSUPPORTED) {
    if (hash.startsWith(prefix)) {
      return { ok: false, problem: `a ${name} hash: not supported, re-create it with "htpasswd -B"` };
    }
  }
  return { ok: false, problem: "an unrecognized password hash: use bcrypt (htpasswd -B)" };
}
