import { describe, expect, it } from "vitest";
import { userFromSubject } from "../../src/authn/certificate-subject.js";

describe("As a platform admin, a certificate's subject names the user as the kube-apiserver reads it", () => {
  it("maps CN to the username and each O to a group, ignoring OU and the rest", () => {
    expect(userFromSubject("C=DE\nO=team-a\nOU=ignored\nO=devs\nCN=alice")).toEqual({
      ok: true,
      value: { username: "alice", groups: ["team-a", "devs"] },
    });
  });

  it("keeps UTF-8 names as they are", () => {
    expect(userFromSubject("CN=José")).toEqual({ ok: true, value: { username: "José", groups: [] } });
  });

  it.each([
    ["no CN", "O=team-a"],
    ["two CNs", "CN=alice\nCN=admin"],
    ["a multi-valued RDN", "O=x + CN=bob"],
    ["an escaped value", "CN=a\\,b"],
    ["an escaped line break", "CN=alice\\0AO=system:masters"],
    ["an empty value", "CN=alice\nO="],
    ["a line that is not type=value", "CN=alice\ngarbage"],
  ])("refuses a subject with %s", (_, subject) => {
    expect(userFromSubject(subject).ok).toBe(false);
  });
});
