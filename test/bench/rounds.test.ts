import { describe, expect, it } from "vitest";
import { median, roundOrder, summarize } from "../../bench/rounds.js";

describe("bench rounds", () => {
  const groups = [
    ["a", "b"],
    ["c", "d"],
    ["e", "f"],
  ];

  it("measures every setup once in each round", () => {
    for (let round = 0; round < 6; round++) expect(roundOrder(groups, round).sort()).toEqual(groups.flat());
  });

  it("rotates the groups by one each round and reverses every other round", () => {
    expect(roundOrder(groups, 0)).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(roundOrder(groups, 1)).toEqual(["b", "a", "f", "e", "d", "c"]);
    expect(roundOrder(groups, 2)).toEqual(["e", "f", "a", "b", "c", "d"]);
  });

  it("measures a group's setups back to back, each first in every other round", () => {
    const first = [0, 1, 2, 3].map((round) => {
      const order = roundOrder(groups, round);
      expect(Math.abs(order.indexOf("a") - order.indexOf("b"))).toBe(1);
      return order.indexOf("a") < order.indexOf("b") ? "a" : "b";
    });
    expect(first).toEqual(["a", "b", "a", "b"]);
  });

  it("takes the median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("states the spread as min–max and as a share of the median", () => {
    const s = summarize([0.9, 1.0, 1.1, 0.95, 1.05]);
    expect([s.median, s.min, s.max]).toEqual([1, 0.9, 1.1]);
    expect(s.relativeSpread).toBeCloseTo(0.2, 10);
  });
});
