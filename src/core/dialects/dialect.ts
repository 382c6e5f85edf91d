import type { Result } from "../result.js";
import type { OriginalRequest } from "../types.js";

/**
 * Why the original request could not be read. "misconfigured" means the proxy did not send what it always sends
 * (answered 500: it is an operator's problem and nginx turns it into 500 anyway); "invalid" means the request
 * itself is ambiguous or malformed (answered 403: denied, never guessed).
 */
export interface DialectProblem {
  readonly kind: "misconfigured" | "invalid";
  readonly reason: string;
}

/** Reads the original request from headers the proxy itself sets. Header names are lower-case. */
export type Dialect = (header: (name: string) => string | undefined) => Result<OriginalRequest, DialectProblem>;
