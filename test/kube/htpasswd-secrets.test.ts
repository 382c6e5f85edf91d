import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { usersFromSecret } from "../../src/kube/htpasswd-secrets.js";

const BCRYPT = "$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const secret = (data: Record<string, string>, annotations: Record<string, string> = {}): V1Secret => ({
  metadata: { namespace: "team-a", name: "users", annotations },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const options = { usernamePrefix: "htpasswd:", allowWeakSchemes: true };

describe("usersFromSecret", () => {
  it("reads the auth key and gives namespaced identities and groups", () => {
    const { users } = usersFromSecret(
      secret({ auth: `alice:${BCRYPT}\n` }, { "rbac-gate.io/groups": "admins, system:masters" }),
      "auth-file",
      options,
    );
    expect(users?.users.get("alice")?.hash).toBe(BCRYPT);
    expect(users?.identity("alice")).toEqual({
      username: "htpasswd:team-a:alice",
      groups: ["htpasswd:team-a", "htpasswd:team-a:admins", "htpasswd:team-a:system:masters"],
    });
  });

  it("reads the auth-map form", () => {
    const { users } = usersFromSecret(secret({ alice: BCRYPT, bob: `${BCRYPT}\n` }), "auth-map", options);
    expect([...(users?.users.keys() ?? [])]).toEqual(["alice", "bob"]);
  });

  it("gives no users when the auth key is missing", () => {
    expect(usersFromSecret(secret({ other: "x" }), "auth-file", options)).toEqual({
      problems: ['the Secret has no "auth" key'],
      weak: 0,
    });
  });
});
