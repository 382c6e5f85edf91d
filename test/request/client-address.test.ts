import { describe, expect, it } from "vitest";
import { clientKey } from "../../src/request/client-address.js";

describe("clientKey", () => {
  it("counts an IPv4 client by its address", () => {
    expect(clientKey("192.0.2.7")).toBe("192.0.2.7");
  });

  it("counts every address of an IPv6 /64 as one client, whatever the spelling", () => {
    const keys = [
      "2001:db8:1:2::1",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:0:0:0:9",
      "2001:db8:1:2:a:b:c:d",
      "2001:db8:1:2::",
    ].map(clientKey);
    expect(new Set(keys)).toEqual(new Set(["2001:db8:1:2::/64"]));
  });

  it("keeps different /64s apart", () => {
    expect(clientKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("counts an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientKey("::FFFF:c000:0207")).toBe("192.0.2.7");
    expect(clientKey("0:0:0:0:0:ffff:192.0.2.7")).toBe("192.0.2.7");
  });

  it("counts an address of the NAT64 well-known prefix as the IPv4 client it stands for", () => {
    expect(clientKey("64:ff9b::192.0.2.7")).toBe("192.0.2.7");
    expect(clientKey("64:ff9b::c633:6401")).toBe("198.51.100.1");
    // Another /96 inside 64:ff9b::/64 is not the well-known prefix.
    expect(clientKey("64:ff9b::1:c633:6401")).toBe("64:ff9b:0:0::/64");
  });

  it("keeps what is not an IPv6 literal as it is (lower-cased), so it is still a key of its own", () => {
    for (const odd of ["1:2:3:4:5:6:7:8:9", "1::2::3", "::ffff:300.1.1.1", "12345::", "1:2:3"]) {
      expect(clientKey(odd)).toBe(odd.toLowerCase());
    }
    expect(clientKey("::1.2.3.4")).toBe("0:0:0:0::/64");
  });
});
