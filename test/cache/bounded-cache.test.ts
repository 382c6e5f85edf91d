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

  it("counts maxStale from the end of the TTL: a 10 s answer with 30 s maxStale answers until 40 s, not after", async () => {
    let now = 0;
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 10_000, maxStaleMs: 30_000, now: () => now });
    await cache.load("k", async () => "allow");
    const down = async () => Promise.reject(new Error("apiserver down"));
    now = 33_000;
    expect(await cache.load("k", down)).toBe("allow");
    now = 39_999;
    expect(await cache.load("k", down)).toBe("allow");
    now = 40_000;
    await expect(cache.load("k", down)).rejects.toThrow("apiserver down");
  });

  it("never answers with an entry at or past its notAfter, fresh or stale", async () => {
    let now = 0;
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 10_000, maxStaleMs: 60_000, now: () => now });
    const down = async () => Promise.reject(new Error("apiserver down"));
    await cache.load(
      "short",
      async () => "allow",
      () => ({ ttlMs: 10_000, notAfter: 4000 }),
    );
    await cache.load(
      "long",
      async () => "allow",
      () => ({ ttlMs: 10_000, notAfter: 25_000 }),
    );
    now = 3999;
    expect(cache.get("short")).toBe("allow");
    now = 4000;
    expect(cache.get("short")).toBeUndefined();
    await expect(cache.load("short", down)).rejects.toThrow("apiserver down");
    now = 24_999;
    expect(await cache.load("long", down)).toBe("allow");
    now = 25_000;
    await expect(cache.load("long", down)).rejects.toThrow("apiserver down");
  });

  it("stores nothing for a lifetime that has already ended", async () => {
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 10_000, maxStaleMs: 60_000, now: () => 5000 });
    await cache.load(
      "k",
      async () => "allow",
      () => ({ ttlMs: 10_000, notAfter: 5000 }),
    );
    expect(cache.size).toBe(0);
  });

  it("never answers stale with an entry whose lifetime refuses it", async () => {
    let now = 0;
    const cache = new BoundedCache<string>({ maxEntries: 10, ttlMs: 10_000, maxStaleMs: 60_000, now: () => now });
    await cache.load(
      "k",
      async () => "allow",
      () => ({ ttlMs: 10_000, stale: false }),
    );
    now = 10_000;
    await expect(cache.load("k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
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
