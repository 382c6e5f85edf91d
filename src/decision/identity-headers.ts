/**
 * Encoding of identity header values. Contract: a value never carries CR, LF or any other control character, and
 * visible ASCII names pass unchanged. Every other character (space, non-ASCII, controls) and "%" itself are
 * percent-encoded as UTF-8 bytes (RFC 3986 style: "josé" → "jos%C3%A9"); in a group list "," is encoded too, so
 * the list splits unambiguously on ",".
 */

function encode(value: string, alsoEncode: string): string {
  let out = "";
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x25 || alsoEncode.includes(value[i] as string)) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x21 && c <= 0x7e && c !== 0x25 && !alsoEncode.includes(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out;
}

export const encodeUsername = (username: string): string => encode(username, "");
export const encodeGroups = (groups: readonly string[]): string => groups.map((g) => encode(g, ",")).join(",");
