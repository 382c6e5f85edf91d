import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("runtime", () => {
  it("runs the tests on the Node.js LTS major the package pins (the container image's base uses the same)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const pinned = String(pkg.devDependencies.node).split(".")[0];
    expect(process.versions.node.split(".")[0]).toBe(pinned);
    expect(pinned).toBe("24");
  });
});
