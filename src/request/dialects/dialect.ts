import { fail, ok, type Result } from "../../vocabulary/result.js";
import type { OriginalRequest } from "../../vocabulary/types.js";
import { decodePath, normalizeHost, normalizeMethod, resolvePath } from "../normalize.js";

/**
 * Why the original request could not be read. "misconfigured" means the proxy did not send what it always sends
 * (answered 500: it is an operator's problem, and every proxy fails closed on it); "invalid" means the request
 * itself is ambiguous or malformed (answered 403: denied, never guessed).
 */
export interface DialectProblem {
  readonly kind: "misconfigured" | "invalid";
  readonly reason: string;
}

/** Reads a single-valued header of the auth request by lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * The auth request's own request line. Only a dialect whose proxy puts the original request there reads it
 * (Envoy's ext_authz); for the others it is the endpoint's fixed path and says nothing about the original.
 */
export interface AuthRequestLine {
  readonly method: string;
  /** The request-target as received, e.g. "/ext-authz/app/item?x=1". */
  readonly target: string;
  /**
   * Set only where the proxy sends the original request as attributes rather than as a request (gRPC ext_authz):
   * the authority it routed by, and the client's address as it determined it (never a header of the client's).
   */
  readonly authority?: string;
  readonly peerAddress?: string;
}

/** Reads the original request from what the proxy itself sets. */
export type Dialect = (header: HeaderReader, line?: AuthRequestLine) => Result<OriginalRequest, DialectProblem>;

/**
 * The last entry of an X-Forwarded-For list: the one the proxy appended, i.e. the address it saw. Whether it looks
 * like an address is readOriginalRequest's check, as for every dialect's address.
 */
export function lastForwardedFor(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.lastIndexOf(",");
  return (comma === -1 ? value : value.slice(comma + 1)).trim();
}

/** An IPv4 or IPv6 address literal, loosely: only used to key regulation, never to identify anyone. */
const ADDRESS = /^[0-9a-fA-F.:]{2,45}$/;

/**
 * The paths a proxy matches its routes against (OriginalRequest.routingPaths), when it reads a path otherwise than
 * the normalization does: from the target as received, its percent-decoded form and the normalized path.
 * Undefined when the normalized path is the only reading; an error refuses the request.
 */
export type PathReadings = (path: {
  readonly target: string;
  readonly decoded: string;
  readonly path: string;
}) => Result<readonly string[] | undefined>;

/**
 * The original request from the parts a dialect found: host, path and method normalized (any problem makes the
 * request invalid), the client's address kept only when it looks like one.
 */
export function readOriginalRequest(parts: {
  readonly method: string;
  readonly authority: string;
  readonly target: string;
  readonly address?: string | undefined;
  readonly readings?: PathReadings;
}): Result<OriginalRequest, DialectProblem> {
  const host = normalizeHost(parts.authority);
  if (!host.ok) return fail({ kind: "invalid", reason: host.error });
  const decoded = decodePath(parts.target);
  if (!decoded.ok) return fail({ kind: "invalid", reason: decoded.error });
  const path = resolvePath(decoded.value);
  if (!path.ok) return fail({ kind: "invalid", reason: path.error });
  const verb = normalizeMethod(parts.method);
  if (!verb.ok) return fail({ kind: "invalid", reason: verb.error });
  const readings = parts.readings?.({ target: parts.target, decoded: decoded.value, path: path.value });
  if (readings && !readings.ok) return fail({ kind: "invalid", reason: readings.error });
  return ok({
    method: verb.value,
    host: host.value,
    path: path.value,
    ...(readings?.value === undefined ? {} : { routingPaths: readings.value }),
    ...(parts.address !== undefined && ADDRESS.test(parts.address) ? { clientAddress: parts.address } : {}),
  });
}
