/**
 * Parsing of the Authorization header. Pure: returns a value for every input and never throws.
 *
 * Basic follows RFC 7617 with charset="UTF-8": the user-id ends at the first ":", the password may contain ":".
 * Bearer follows RFC 6750 (b64token). Anything else, including a header repeated with different values, is
 * "malformed" and ends as a 401 with a challenge, never a 400 (ingress-nginx turns a 400 into a 500).
 */

export type Credentials =
  | { readonly kind: "none" }
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "bearer"; readonly token: string }
  /** A client certificate the proxy passed in a header of its own (client-certificate.ts), leaf first, PEM. */
  | { readonly kind: "client-certificate"; readonly chain: readonly string[] }
  | { readonly kind: "malformed"; readonly reason: string };

const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const CONTROL = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bounds the work done on an attacker's header; nginx's default header buffers stop far below this anyway. */
export const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

/** @param values every Authorization header line the request carried, in order. */
export function parseAuthorization(values: readonly string[]): Credentials {
  if (values.length === 0) return { kind: "none" };
  if (values.length > 1) return { kind: "malformed", reason: "more than one Authorization header" };
  const value = values[0] as string;
  if (value.length > MAX_AUTHORIZATION_LENGTH) return { kind: "malformed", reason: "Authorization header too long" };

  const basic = BASIC.exec(value);
  if (basic) return parseBasic(basic[1] as string);
  const bearer = BEARER.exec(value);
  if (bearer) return { kind: "bearer", token: bearer[1] as string };
  if (/^(basic|bearer)\b/i.test(value)) return { kind: "malformed", reason: "malformed credentials" };
  return { kind: "malformed", reason: "unsupported authorization scheme" };
}

function parseBasic(token68: string): Credentials {
  if (token68.length % 4 !== 0) return { kind: "malformed", reason: "Basic credentials are not valid base64" };
  let text: string;
  try {
    text = utf8.decode(Buffer.from(token68, "base64"));
  } catch {
    return { kind: "malformed", reason: "Basic credentials are not valid UTF-8" };
  }
  const colon = text.indexOf(":");
  if (colon === -1) return { kind: "malformed", reason: "Basic credentials have no colon" };
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (username === "") return { kind: "malformed", reason: "Basic credentials have an empty user-id" };
  if (CONTROL.test(text)) return { kind: "malformed", reason: "Basic credentials contain control characters" };
  return { kind: "basic", username, password };
}
