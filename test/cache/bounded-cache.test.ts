import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../src/cache/bounded-cache.js";
import { createSecretKeyer } from "../../src/cache/secret-key.js";

describe("BoundedCache", () => {
  it("evicts the least recently used entry instead of refusing new keys", () => {
    const cache = new BoundedCache<number>({ maxEntries: 100, ttlMs: 60_000 });
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get("k9999")).toBe(9999);
    expect(cache.get("k0")).toBeUndefined();
  });

  it("expires entries after their time to live", async () => {
    const cache = new BoundedCache<number>({ maxEntries: 10, ttlMs: 30 });
    cache.set("a", 1);
    expect(cache.get("a")).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(cache.get("a")).toBeUndefined();
  });

  it("shares one loader call among concurrent misses of a key", async () => {
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return "v";
    };
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.load("k", loader)));
    expect(values.every((v) => v === "v")).toBe(true);
    expect(calls).toBe(1);
  });

  it("never caches a loader error, and stores nothing when ttlFor says 0", async () => {
    const cache = new BoundedCache<boolean>({ maxEntries: 10, ttlMs: 60_000 });
    await expect(cache.load("k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(cache.get("k")).toBeUndefined();
    await cache.load(
      "k",
      async () => false,
      (v) => (v ? undefined : 0),
    );
    expect(cache.get("k")).toBeUndefined();
    await cache.load(
      "k",
      async () => true,
      (v) => (v ? undefined : 0),
    );
    expect(cache.get("k")).toBe(true);
  });
});

describe("createSecretKeyer", () => {
  it("gives different keys per process key and never the secret itself", () => {
    const a = createSecretKeyer();
    const b = createSecretKeyer();
    expect(a("alice", "secret")).not.toBe(b("alice", "secret"));
    expect(a("alice", "secret")).toBe(a("alice", "secret"));
    expect(a("alice", "secret")).not.toContain("secret");
  });

  it("keeps part boundaries: (ab, c) and (a, bc) differ", () => {
    const key = createSecretKeyer();
    expect(key("ab", "c")).not.toBe(key("a", "bc"));
  });
});

describe("BoundedCache stale answers", () => {
  it("answers with the expired value only while its reload fails and only within maxStaleMs", async () => {
    let now = 0;
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 2000, maxStaleMs: 60_000, now: () => now });
    await cache.load("k", async () => "allow");
    now = 30_000;
    const sources: string[] = [];
    const down = async () => Promise.reject(new Error("apiserver down"));
    expect(await cache.load("k", down, undefined, (s) => sources.push(s))).toBe("allow");
    expect(sources).toEqual(["stale"]);
    now = 62_001;
    await expect(cache.load("k", down)).rejects.toThrow("apiserver down");
    await expect(cache.load("never-seen", down)).rejects.toThrow("apiserver down");
  });

  it("never answers stale when maxStaleMs is 0", async () => {
    let now = 0;
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 1000, now: () => now });
    await cache.load("k", async () => "allow");
    now = 1001;
    await expect(cache.load("k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
  });

  it("replaces a stale entry with a fresh answer once the loader works again", async () => {
    let now = 0;
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 1000, maxStaleMs: 10_000, now: () => now });
    await cache.load("k", async () => "allow");
    now = 5000;
    expect(await cache.load("k", async () => "deny")).toBe("deny");
    expect(cache.get("k")).toBe("deny");
  });
});
