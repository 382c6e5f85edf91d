import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";

const minimal = {
  htpasswd: { files: [{ name: "team", path: "users.htpasswd" }] },
  routes: [{ host: "app.example.com", htpasswd: "team", allow: { authenticated: true } }],
};
const resolve = (htpasswd: Record<string, unknown>) =>
  resolveConfig({ ...minimal, htpasswd: { ...minimal.htpasswd, ...htpasswd } }, "/");

describe("htpasswd.limits", () => {
  it("defaults to bounds a tenant's hash cannot stall the gate with", () => {
    const result = resolve({});
    expect(result.ok && result.value.htpasswd.limits).toEqual({
      maxBcryptCost: 12,
      maxShaCryptRounds: 50_000,
      maxLineBytes: 4096,
      maxPasswordBytes: 1024,
    });
  });

  it("takes configured bounds and reports every bad one at once", () => {
    const ok = resolve({ limits: { maxBcryptCost: 14, maxShaCryptRounds: 200_000 } });
    expect(ok.ok && ok.value.htpasswd.limits).toMatchObject({ maxBcryptCost: 14, maxShaCryptRounds: 200_000 });
    expect(resolve({ limits: { maxBcryptCost: 40, maxPasswordBytes: 8, maxLines: 3 } })).toEqual({
      ok: false,
      error: [
        'htpasswd.limits has unknown field "maxLines": known fields are maxBcryptCost, maxShaCryptRounds, maxLineBytes, maxPasswordBytes',
        "htpasswd.limits.maxBcryptCost has 40: it must be a whole number from 4 to 31",
        "htpasswd.limits.maxPasswordBytes has 8: it must be a whole number from 72 to 65536",
      ],
    });
  });
});
