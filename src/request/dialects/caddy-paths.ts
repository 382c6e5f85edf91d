/**
 * How Caddy's `path` matcher reads a request path, in every Caddy version rbac-gate supports, so that the Caddy
 * endpoint decides about the route Caddy picks (modules/caddyhttp/matchers.go, MatchPath):
 *
 * - the path is Go's decoded URL.Path, lower-cased (strings.ToLower) — and the matcher's patterns are lower-cased
 *   too (MatchPath.Provision): "/ADMIN" and "/%41dmin" match `/admin*`;
 * - Caddy ≤ 2.6 then trims every trailing "." and " " (strings.TrimRight(path, ". ")): "/admin." and "/admin%20"
 *   match `/admin` there; later versions trim only on Windows;
 * - then CleanPath: Go's path.Clean (dot segments resolved, slashes merged), keeping a trailing "/".
 *
 * Go lower-cases with its own Unicode tables; a path with a non-ASCII character that has a lower-case form is
 * refused rather than folded with another table than Caddy's.
 */
import { fail, ok, type Result } from "../../vocabulary/result.js";

/** Lower-cases ASCII letters; undefined when a non-ASCII character has a lower-case form of its own. */
export function foldCaddyCase(path: string): string | undefined {
  let out = "";
  for (const ch of path) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0x41 && code <= 0x5a) out += String.fromCharCode(code + 0x20);
    else if (code > 0x7f && ch.toLowerCase() !== ch) return undefined;
    else out += ch;
  }
  return out;
}

/** Go's path.Clean for a rooted path, keeping a trailing "/" as Caddy's cleanPath does. */
export function cleanCaddyPath(path: string): string {
  const kept: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") kept.pop();
    else kept.push(part);
  }
  const cleaned = `/${kept.join("/")}`;
  return cleaned !== "/" && path.endsWith("/") ? `${cleaned}/` : cleaned;
}

/** strings.TrimRight(path, ". "), in one pass from the end (a regular expression would backtrack quadratically). */
function trimDotsAndSpaces(path: string): string {
  let end = path.length;
  while (end > 0 && (path[end - 1] === "." || path[end - 1] === " ")) end--;
  return path.slice(0, end);
}

/**
 * Every path Caddy's matcher may compare for a decoded path: the current reading and, when it differs, the one of
 * Caddy ≤ 2.6. The route must be the same for each.
 */
export function caddyPathReadings(decoded: string): Result<readonly string[]> {
  const folded = foldCaddyCase(decoded);
  if (folded === undefined) return fail("path has a non-ASCII capital letter, which Caddy folds by its own tables");
  const current = cleanCaddyPath(folded);
  const trimmed = cleanCaddyPath(trimDotsAndSpaces(folded));
  return ok(trimmed === current ? [current] : [current, trimmed]);
}
