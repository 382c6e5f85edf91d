/**
 * Normalization of the original request's host and path, the way nginx routes them.
 *
 * Contract: the result is what nginx matched its locations against ($host, $uri), so an RBAC rule written for
 * "/admin" also covers "/public/../admin", "//admin" and "/%61dmin". Anything whose meaning differs between nginx
 * and the app behind it (encoded "/" or "\", an encoded "%", NUL and other control bytes, ".." above the root,
 * broken percent-encoding or UTF-8) is refused rather than guessed. Outputs contain no "%", so normalizing an
 * output again (sent as UTF-8 bytes, as a client would) returns it unchanged.
 */
import { fail, ok, type Result } from "../vocabulary/result.js";

const HEX = /^[0-9A-Fa-f]{2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Normalizes a path as it appears in the request line (without scheme and host). The query and nothing else after
 * "?" is dropped: RBAC decisions are made on the path.
 * @param raw the request-target as received; bytes above 0x7F arrive from Node as latin1 code units.
 */
export function normalizePath(raw: string): Result<string> {
  const decoded = decodePath(raw);
  return decoded.ok ? resolvePath(decoded.value) : decoded;
}

/** A decodePath result with dot segments resolved and repeated slashes merged (normalizePath's second half). */
export function resolvePath(decoded: string): Result<string> {
  const segments: string[] = [];
  const parts = decoded.split("/");
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (segments.length === 0) return fail("path climbs above the root");
      segments.pop();
      continue;
    }
    segments.push(part);
  }
  const last = parts[parts.length - 1];
  const trailingSlash = last === "" || last === "." || last === "..";
  if (segments.length === 0) return ok("/");
  return ok(`/${segments.join("/")}${trailingSlash ? "/" : ""}`);
}

/** The path of a request-target: everything before the first "?". */
export function targetPath(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? target : target.slice(0, q);
}

/**
 * The request-target's path percent-decoded as UTF-8, before dot segments and repeated slashes are resolved: what
 * a proxy that decodes first (Go's net/url, so Caddy and Traefik) holds as the path. Refuses what normalizePath
 * refuses for its bytes (encoded "/", backslash, "%", "?", "#", control bytes, broken encoding or UTF-8).
 */
export function decodePath(raw: string): Result<string> {
  const target = targetPath(raw);
  if (!target.startsWith("/")) return fail("path does not start with /");

  const bytes = new Uint8Array(target.length);
  let n = 0;
  for (let i = 0; i < target.length; i++) {
    let b = target.charCodeAt(i);
    if (b > 0xff) return fail("path has a character outside latin1 transport");
    if (b === 0x25 /* % */) {
      const hex = target.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return fail("path has invalid percent-encoding");
      b = Number.parseInt(hex, 16);
      i += 2;
      if (b === 0x2f || b === 0x5c) return fail("path has an encoded slash or backslash");
      if (b === 0x25) return fail("path has an encoded percent sign (double encoding)");
      // Decoded, these would start a query or fragment: the path would mean something else on a second reading.
      if (b === 0x3f || b === 0x23) return fail("path has an encoded ? or #");
    } else if (b === 0x5c) {
      return fail("path has a backslash");
    } else if (b === 0x23) {
      return fail("path has a fragment marker");
    }
    if (b < 0x20 || b === 0x7f) return fail("path has a control character");
    bytes[n++] = b;
  }
  try {
    return ok(utf8.decode(bytes.subarray(0, n)));
  } catch {
    return fail("path is not valid UTF-8");
  }
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/**
 * Normalizes an authority (Host header form) to a lower-case host without port or trailing dot.
 * Refuses empty hosts (an HTTP/1.0 request without Host reaches the auth service as "http:///x").
 */
export function normalizeHost(authority: string): Result<string> {
  let host = authority.toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end === -1) return fail("host has an unterminated IPv6 literal");
    const rest = host.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return fail("host has an invalid port");
    host = host.slice(0, end + 1);
    return IPV6.test(host) ? ok(host) : fail("host is not a valid IPv6 literal");
  }
  const colon = host.lastIndexOf(":");
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return fail("host has an invalid port");
    host = host.slice(0, colon);
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host === "") return fail("host is empty");
  if (host.length > 253) return fail("host is too long");
  for (const label of host.split(".")) {
    if (!LABEL.test(label) || label.length > 63) return fail("host is not a valid DNS name or address");
  }
  return ok(host);
}

const METHOD = /^[A-Z][A-Z_-]{0,31}$/;

/** Validates an HTTP method as nginx accepts it on the request line (upper-case letters, "_" and "-"). */
export function normalizeMethod(method: string): Result<string> {
  return METHOD.test(method) ? ok(method) : fail("method is not a valid HTTP method");
}
