/**
 * The key under which per-address bounds (brute-force regulation, hash-queue shares, apiserver-review shares) count a
 * client. An IPv4 address is one client. An IPv6 client is its /64: one subscriber, one cloud instance or one
 * container host is routinely given a whole /64 (RFC 6177, and what providers hand out), so an attacker can rotate
 * through 2^64 addresses without leaving it; counting per address would give it a fresh share with every request.
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1, a dual-stack socket's view of an IPv4 client) is that IPv4 address,
 * and so is an address of the well-known NAT64 prefix (64:ff9b::/96, RFC 6052): in an IPv6-only cluster every IPv4
 * client arrives under it, and one /64 for all of them would let one client lock every other out.
 */

/** The /64 of an IPv6 address ("2001:db8:1:2::/64"), the IPv4 address of a mapped one, anything else as it is. */
export function clientKey(address: string): string {
  if (!address.includes(":")) return address;
  const groups = ipv6Groups(address);
  if (groups === undefined) return address.toLowerCase();
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (mapped || nat64) {
    const [high = 0, low = 0] = groups.slice(6);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 literal (with "::" and a dotted IPv4 tail), or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    const octets = last.split(".").map((o) => (/^\d{1,3}$/.test(o) ? Number(o) : Number.NaN));
    if (octets.length !== 4 || octets.some((o) => !(o <= 255))) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    tail.push((a << 8) | b, (c << 8) | d);
    // "::ffff:1.2.3.4" → "::ffff" and "::1.2.3.4" → "::", with the tail's two groups kept apart.
    text = text[lastColon - 1] === ":" ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN));
  const head = parse(halves[0] ?? "");
  const rest = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const known = [...head, ...rest].concat(tail);
  if (known.some(Number.isNaN)) return undefined;
  const missing = 8 - known.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest, ...tail];
}
