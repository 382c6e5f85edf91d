/**
 * The shape of src/, kept true: no import circle (static or dynamic), no source file over 250 lines, the decision
 * core free of I/O, and docs/development.md's map naming every folder of src/.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

const IMPORT = /(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)\.js"/g;

/** Relative imports of each source file, as absolute .ts paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    graph.set(
      file,
      [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), `${m[1]}.ts`)),
    );
  }
  return graph;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

describe("the architecture of src/", () => {
  it("has no import circle, static or dynamic", () => {
    const cycle = findCycle(importGraph());
    expect(cycle?.map((f) => relative(SRC, f))).toBeUndefined();
  });

  it("finds a circle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
  });

  it("has no source file over 250 lines", () => {
    const long = sources(SRC)
      .map((f) => [relative(SRC, f), readFileSync(f, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > 250);
    expect(long).toEqual([]);
  });

  it("keeps the decision core free of I/O: no node:, express or Kubernetes import in request/, routing/, decision/", () => {
    const io = /from\s+"(node:[^"]+|express|@kubernetes\/client-node|pino|prom-client)"/;
    const offenders = sources(SRC)
      .filter((f) => /^(request|routing|decision)\//.test(relative(SRC, f)))
      .filter((f) => io.test(readFileSync(f, "utf8")))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it("docs/development.md names every folder of src/", () => {
    const doc = readFileSync(join(ROOT, "docs/development.md"), "utf8");
    const folders = new Set(
      sources(SRC)
        .map((f) => dirname(relative(SRC, f)))
        .filter((d) => d !== "."),
    );
    // The map lists each folder at the start of a line, below "src/".
    const missing = [...folders].filter((d) => !new RegExp(`^\\s+${d.replaceAll("/", "\\/")}/ `, "m").test(doc));
    expect(missing).toEqual([]);
  });
});
