import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "../src/node-version.js";

describe("nodeVersionProblem", () => {
  it("accepts the supported LTS and newer", () => {
    expect(nodeVersionProblem("24.21.0")).toBeUndefined();
    expect(nodeVersionProblem("26.0.0")).toBeUndefined();
  });

  it("refuses an older Node.js in one sentence that names both versions", () => {
    expect(nodeVersionProblem("20.20.2")).toBe(
      "Node.js 24 or newer is needed, this is 20.20.2 (the image and `npm start` bring their own)",
    );
  });
});
