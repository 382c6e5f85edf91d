/**
 * The paths Traefik and Envoy match their routes against, where they differ from the normalized path (which is
 * what nginx matches, and what an app that decodes and resolves its path reads). Pure; called only on targets
 * normalizePath has accepted, so their percent-encoding and UTF-8 are valid.
 */

import { ok } from "../../vocabulary/result.js";
import { targetPath } from "../normalize.js";
import type { PathReadings } from "./dialect.js";

/** A proxy's own reading beside the normalized path, when the two differ: both must find the same route. */
const besideNormalized =
  (routingPath: (target: string) => string): PathReadings =>
  ({ target, path }) => {
    const routed = routingPath(target);
    return ok(routed === path ? undefined : [path, routed]);
  };

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const NON_ASCII = /[\u0080-\u00ff]/;

/** A path whose bytes arrived as latin1 code units, its non-ASCII bytes read as UTF-8 (as route paths are). */
const utf8Of = (latin1: string): string =>
  NON_ASCII.test(latin1) ? utf8.decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0) & 0xff)) : latin1;

/**
 * Envoy matches the :path as it is after its own normalization (normalize_path, merge_slashes): not percent-decoded,
 * case-sensitive. The ext_authz request carries that same path.
 */
export const envoyRoutingPath = (target: string): string => utf8Of(targetPath(target));

/** RFC 3986 reserved characters, which Traefik's router keeps percent-encoded when written in upper-case hex. */
const RESERVED = new Set([
  "3A",
  "2F",
  "3F",
  "23",
  "5B",
  "5D",
  "40",
  "21",
  "24",
  "26",
  "27",
  "28",
  "29",
  "2A",
  "2B",
  "2C",
  "3B",
  "3D",
  "25",
]);

/**
 * Traefik's routing path (pkg/muxer/http/mux.go withRoutingPath): the escaped path, already cleaned of "/./",
 * "/../" and "//" by its sanitizePath before ForwardAuth sends it, with every %XX decoded except the reserved
 * characters spelled in upper-case hex, which stay encoded; no cleaning after decoding, so "/public/%2e%2e/admin"
 * is routed as "/public/../admin".
 */
export function traefikRoutingPath(target: string): string {
  const raw = targetPath(target);
  if (!raw.includes("%")) return utf8Of(raw);
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && !RESERVED.has(raw.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}

/** The readings /ext-authz and gRPC Check route by. */
export const envoyReadings: PathReadings = besideNormalized(envoyRoutingPath);

/** The readings /forward-auth routes by. */
export const traefikReadings: PathReadings = besideNormalized(traefikRoutingPath);
