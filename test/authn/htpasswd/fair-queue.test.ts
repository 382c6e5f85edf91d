import { describe, expect, it } from "vitest";
import { FairQueue } from "../../../src/authn/htpasswd/fair-queue.js";

const limits = { maxQueued: 100, maxPendingPerSource: 50, maxPendingPerAddress: 20, maxPendingPerUser: 5 };
const keys = (source: string, address: string, user = "u") => ({ source, address, user });
const drain = <T>(q: FairQueue<T>) => {
  const out: T[] = [];
  for (let t = q.next(); t; t = q.next()) out.push(t.value);
  return out;
};

describe("FairQueue", () => {
  it("serves sources in turn, then addresses in turn, each address first in first out", () => {
    const q = new FairQueue<string>(limits);
    for (let i = 0; i < 3; i++) q.enqueue(keys("flood", "10.0.0.1", `u${i}`), `flood-${i}`);
    q.enqueue(keys("flood", "10.0.0.2"), "flood-other-address");
    q.enqueue(keys("quiet", "10.0.0.3"), "quiet");
    expect(drain(q)).toEqual(["flood-0", "quiet", "flood-other-address", "flood-1", "flood-2"]);
    expect(q.size).toBe(0);
  });

  it("shows by peek the ticket next() takes, leaving it queued", () => {
    const q = new FairQueue<string>(limits);
    expect(q.peek()).toBeUndefined();
    q.enqueue(keys("flood", "10.0.0.1"), "flood-0");
    q.enqueue(keys("flood", "10.0.0.1"), "flood-1");
    q.enqueue(keys("quiet", "10.0.0.3"), "quiet");
    const seen: string[] = [];
    for (let t = q.peek(); t; t = q.peek()) {
      expect(q.peek()).toBe(t);
      expect(q.size).toBeGreaterThan(0);
      expect(q.next()).toBe(t);
      seen.push(t.value);
    }
    expect(seen).toEqual(["flood-0", "quiet", "flood-1"]);
  });

  it("refuses past a user's, an address's or a source's share, counting running jobs until done", () => {
    const q = new FairQueue<number>(limits);
    const first = q.enqueue(keys("s", "a", "alice"), 0);
    for (let i = 1; i < 5; i++) expect(q.enqueue(keys("s", "a", "alice"), i)).toBeDefined();
    expect(q.enqueue(keys("s", "a", "alice"), 5)).toBeUndefined();
    expect(q.enqueue(keys("s", "a", "bob"), 6)).toBeDefined();
    expect(q.next()).toBe(first);
    expect(q.enqueue(keys("s", "a", "alice"), 7)).toBeUndefined();
    q.done(first!);
    expect(q.enqueue(keys("s", "a", "alice"), 8)).toBeDefined();
    for (let i = 0; i < 20; i++) q.enqueue(keys("s", "a", `user${i}`), i);
    expect(q.enqueue(keys("s", "a", "new"), 9)).toBeUndefined();
    expect(q.enqueue(keys("s", "b", "new"), 9)).toBeDefined();
  });

  it("takes a cancelled ticket out and gives its keys their share back when done", () => {
    const q = new FairQueue<number>({ ...limits, maxPendingPerUser: 1 });
    const t = q.enqueue(keys("s", "a"), 1)!;
    expect(q.cancel(t)).toBe(true);
    expect(q.cancel(t)).toBe(false);
    q.done(t);
    expect(q.size).toBe(0);
    expect(q.next()).toBeUndefined();
    expect(q.enqueue(keys("s", "a"), 2)).toBeDefined();
  });

  it("never queues more than maxQueued", () => {
    const q = new FairQueue<number>({ ...limits, maxQueued: 3 });
    const admitted = Array.from({ length: 10 }, (_, i) => q.enqueue(keys(`s${i}`, `a${i}`), i)).filter(Boolean);
    expect(admitted).toHaveLength(3);
  });
});
