import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { literalDefinitionStates } from "./support/v8-feedback.js";

// Loaded by plain node, which strips its types: the module imports only from node: itself.
const MODULE = new URL("../src/next-tick-maps.ts", import.meta.url).href;

/**
 * A Node.js process of the same runtime as the tests: runs nextTick() enough for V8 to record its property
 * definitions, lets the queue empty, runs a full collection, runs nextTick() again, and prints nextTick()'s feedback
 * as V8 itself reports it (%DebugPrint). `keep` first keeps a task object as rbac-gate's entry point does.
 */
const KEEP = `const { keepNextTickMaps } = await import(${JSON.stringify(MODULE)});
if (!(await keepNextTickMaps())) throw new Error("no task object kept");`;
const PROBE = (keep: boolean) => `
${keep ? KEEP : ""}
const ticks = (count) => new Promise((done) => {
  let n = 0;
  const step = () => (++n < count ? process.nextTick(step) : done());
  process.nextTick(step);
});
await ticks(100);
await new Promise((idle) => setTimeout(idle, 20));
globalThis.gc();
await ticks(100);
%DebugPrint(process.nextTick);
`;

async function definitionFeedback(keep: boolean): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "next-tick-maps-"));
  const file = join(dir, "probe.mjs");
  writeFileSync(file, PROBE(keep));
  const { stdout } = await promisify(execFile)(process.execPath, ["--allow-natives-syntax", "--expose-gc", file], {
    encoding: "utf8",
  });
  return literalDefinitionStates(stdout);
}

describe("keepNextTickMaps", () => {
  it("keeps nextTick()'s property definitions monomorphic through a full collection while no task is queued", async () => {
    const states = await definitionFeedback(true);
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states.every((state) => state === "MONOMORPHIC")).toBe(true);
  });

  it("is needed: without it, that collection leaves them megamorphic for good (V8's behaviour it works around)", async () => {
    const states = await definitionFeedback(false);
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states, "this Node.js no longer loses the record: next-tick-maps.ts can go").toContain("MEGAMORPHIC");
  });

  it("says it kept a task object", async () => {
    const { keepNextTickMaps } = await import("../src/next-tick-maps.js");
    expect(await keepNextTickMaps()).toBe(true);
  });
});
