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
        "htpasswd.limits.maxBcryptCost has 40: it must be a whole number from 4 to 31",
        "htpasswd.limits.maxPasswordBytes has 8: it must be a whole number from 72 to 65536",
        'htpasswd.limits has unknown field "maxLines": known fields are maxBcryptCost, maxShaCryptRounds, maxLineBytes, maxPasswordBytes',
      ],
    });
  });
});

describe("htpasswd.hashing", () => {
  it("defaults to two workers, a 5 s deadline and bounded queue shares", () => {
    const result = resolve({});
    expect(result.ok && result.value.htpasswd.hashing).toEqual({
      workers: 2,
      deadlineMs: 5000,
      maxQueued: 512,
      maxPendingPerSource: 128,
      maxPendingPerAddress: 32,
      maxPendingPerUser: 8,
    });
  });

  it("refuses a deadline at or past the proxy's auth timeout", () => {
    expect(resolve({ hashing: { deadline: "60s", workers: 0 } })).toEqual({
      ok: false,
      error: [
        `htpasswd.hashing.deadline has "60s": it must be from 100ms to 30s, below the proxy's auth timeout`,
        "htpasswd.hashing.workers has 0: it must be a whole number from 1 to 64",
      ],
    });
  });
});

describe("regulation.redis", () => {
  it("is off by default, and shares counters through the URL given", () => {
    const off = resolveConfig(minimal, "/");
    expect(off.ok && off.value.regulation?.redis).toBeUndefined();
    const on = resolveConfig({ ...minimal, regulation: { redis: { url: "redis://valkey:6379/0" } } }, "/");
    expect(on.ok && on.value.regulation?.redis).toEqual({
      url: "redis://valkey:6379/0",
      keyPrefix: "rbac-gate:regulation:",
      timeoutMs: 500,
    });
    expect(resolveConfig({ ...minimal, regulation: { redis: { url: "http://x" } } }, "/")).toEqual({
      ok: false,
      error: ['regulation.redis.url has "http://x": it must be a redis:// or rediss:// URL'],
    });
  });
});
