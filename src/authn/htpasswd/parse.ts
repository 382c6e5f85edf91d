/**
 * Parsing of ingress-nginx's htpasswd formats. Pure.
 *
 * auth-file (the Secret's "auth" key, or a file): one "name:hash[:comment]" per line, "#" comment lines, blank
 * lines, CRLF line ends and trailing whitespace tolerated. As in nginx, the hash ends at the next ":" and the
 * first line for a name wins. auth-map: each key is a user name and its value the hash.
 *
 * Problems name the line and the user, never the hash. An entry with a problem is left out; the others load.
 */
import { detectScheme, type HashScheme, WEAK_SCHEMES } from "./schemes.js";

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
}

export function parseHtpasswd(text: string, options: ParseOptions): ParsedHtpasswd {
  const pairs: Array<readonly [string, string, string]> = [];
  const problems: string[] = [];
  const lines = text.split("\n");
  lines.forEach((rawLine, index) => {
    const line = rawLine.replace(/\s+$/, "");
    const where = `line ${index + 1}`;
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      problems.push(`${where} has no "name:hash" entry`);
      return;
    }
    const rest = line.slice(colon + 1);
    const end = rest.indexOf(":");
    pairs.push([where, line.slice(0, colon), end === -1 ? rest : rest.slice(0, end)]);
  });
  return collect(pairs, problems, options);
}

export function parseAuthMap(map: Readonly<Record<string, string>>, options: ParseOptions): ParsedHtpasswd {
  const pairs = Object.entries(map).map(([name, hash]) => [`key "${name}"`, name, hash.replace(/\s+$/, "")] as const);
  return collect(pairs, [], options);
}

function collect(
  pairs: ReadonlyArray<readonly [string, string, string]>,
  problems: string[],
  options: ParseOptions,
): ParsedHtpasswd {
  const users = new Map<string, HtpasswdEntry>();
  const weakUsers: string[] = [];
  for (const [where, username, hash] of pairs) {
    const subject = `${where}: user "${username}"`;
    if (/[\u0000-\u001f\u007f]/.test(username)) {
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
