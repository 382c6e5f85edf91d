/**
 * Parsing of ingress-nginx's htpasswd formats. Pure.
 *
 * auth-file (the Secret's "auth" key, or a file): one "name:hash[:comment]" per line, "#" comment lines, blank
 * lines, CRLF line ends and trailing whitespace tolerated. As in nginx, the hash ends at the next ":" and the
 * first line for a name wins. auth-map: each key is a user name and its value the hash.
 *
 * Problems name the line and the user, never the hash. An entry with a problem is left out; the others load.
 * A tenant writes the text, so parsing is linear in its length (no backtracking pattern sees a whole line), a line
 * over limits.maxLineBytes is refused before it is looked at further, and a hash whose work parameters exceed
 * the limits is refused like any other bad entry.
 */
import {
  DEFAULT_HASH_LIMITS,
  detectScheme,
  exceedsLimits,
  type HashLimits,
  type HashScheme,
  WEAK_SCHEMES,
} from "./schemes.js";

export interface HtpasswdEntry {
  readonly username: string;
  readonly hash: string;
  readonly scheme: HashScheme;
}

export interface ParsedHtpasswd {
  /** Null-prototype-free lookup: a Map, so "__proto__" is just a name. */
  readonly users: ReadonlyMap<string, HtpasswdEntry>;
  readonly problems: readonly string[];
  /** Users whose hash is of a weak scheme (loaded, or refused when weak schemes are not allowed). */
  readonly weakUsers: readonly string[];
}

export interface ParseOptions {
  readonly allowWeakSchemes: boolean;
  /** Default: DEFAULT_HASH_LIMITS. */
  readonly limits?: HashLimits;
}

/** An entry (where, name, hash) to check, or a problem found already; kept in order so problems are too. */
type Item = readonly [where: string, username: string, hash: string] | string;

export function parseHtpasswd(text: string, options: ParseOptions): ParsedHtpasswd {
  const items: Item[] = [];
  const maxLineBytes = (options.limits ?? DEFAULT_HASH_LIMITS).maxLineBytes;
  const lines = text.split("\n");
  lines.forEach((rawLine, index) => {
    const where = `line ${index + 1}`;
    const tooLong = overLength(rawLine, maxLineBytes);
    if (tooLong !== undefined) {
      items.push(`${where}${nameOf(rawLine)} has ${tooLong}`);
      return;
    }
    // trimEnd strips what /\s+$/ did, in linear time (the pattern is quadratic on a long run of whitespace).
    const line = rawLine.trimEnd();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      items.push(`${where} has no "name:hash" entry`);
      return;
    }
    const rest = line.slice(colon + 1);
    const end = rest.indexOf(":");
    items.push([where, line.slice(0, colon), end === -1 ? rest : rest.slice(0, end)]);
  });
  return collect(items, options);
}

export function parseAuthMap(map: Readonly<Record<string, string>>, options: ParseOptions): ParsedHtpasswd {
  const maxLineBytes = (options.limits ?? DEFAULT_HASH_LIMITS).maxLineBytes;
  const items = Object.entries(map).map(([name, hash]): Item => {
    const tooLong = overLength(name, maxLineBytes) ?? overLength(hash, maxLineBytes);
    return tooLong === undefined
      ? [`key "${name}"`, name, hash.trimEnd()]
      : `key ${quotedName(name) ?? "(long)"} has ${tooLong}`;
  });
  return collect(items, options);
}

/** The problem with a line (or value) longer than max bytes, measured without looking at its content. */
function overLength(text: string, max: number): string | undefined {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: the (linear, native) byte count is needed only near the limit.
  if (text.length * 3 <= max) return undefined;
  const bytes = Buffer.byteLength(text, "utf8");
  return bytes > max ? `${bytes} bytes: the limit is htpasswd.limits.maxLineBytes (${max})` : undefined;
}

/** `: user "name"` for a line too long to parse, when its name is short and printable; the rest is never read. */
function nameOf(line: string): string {
  const colon = line.indexOf(":");
  const name = colon > 0 ? quotedName(line.slice(0, colon)) : undefined;
  return name === undefined ? "" : `: user ${name}`;
}

function quotedName(name: string): string | undefined {
  return name.length <= 256 && !CONTROL.test(name) ? `"${name}"` : undefined;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function collect(items: readonly Item[], options: ParseOptions): ParsedHtpasswd {
  const users = new Map<string, HtpasswdEntry>();
  const weakUsers: string[] = [];
  const problems: string[] = [];
  for (const item of items) {
    if (typeof item === "string") {
      problems.push(item);
      continue;
    }
    const [where, username, hash] = item;
    const subject = `${where}: user "${username}"`;
    if (CONTROL.test(username)) {
      problems.push(`${where} has a user name with control characters`);
      continue;
    }
    if (users.has(username)) {
      problems.push(`${subject} is defined again: the first definition is used`);
      continue;
    }
    const detected = detectScheme(hash);
    if (!detected.ok) {
      problems.push(`${subject} has ${detected.problem}`);
      continue;
    }
    const overLimits = exceedsLimits(hash, detected.scheme, options.limits ?? DEFAULT_HASH_LIMITS);
    if (overLimits !== undefined) {
      problems.push(`${subject} has ${overLimits}`);
      continue;
    }
    if (WEAK_SCHEMES.has(detected.scheme)) {
      weakUsers.push(username);
      if (!options.allowWeakSchemes) {
        problems.push(`${subject} has a weak ${detected.scheme} hash: refused because allowWeakSchemes is false`);
        continue;
      }
    }
    users.set(username, { username, hash, scheme: detected.scheme });
  }
  return { users, problems, weakUsers };
}
