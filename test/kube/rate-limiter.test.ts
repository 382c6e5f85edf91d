import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/kube/rate-limiter.js";

describe("RateLimiter", () => {
  it("lets a burst through at once, then admits the rest at the configured rate, in order", async () => {
    const limiter = new RateLimiter(100, 5);
    const start = performance.now();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 15 }, (_, i) => limiter.acquire().then(() => order.push(i))));
    const elapsed = performance.now() - start;
    expect(order).toEqual([...Array(15).keys()]);
    // 10 calls beyond the burst at 100/s need about 100 ms.
    expect(elapsed).toBeGreaterThanOrEqual(80);
  });

  it("refuses at once past its queue bound instead of growing with a spray", async () => {
    const limiter = new RateLimiter(1, 1, () => performance.now(), 5);
    await limiter.acquire();
    const waiting = Array.from({ length: 5 }, () => limiter.acquire());
    await expect(limiter.acquire()).rejects.toThrow("too many apiserver calls waiting");
    void waiting;
  });
});
