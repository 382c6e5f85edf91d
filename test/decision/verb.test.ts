import { describe, expect, it } from "vitest";
import { verbFor } from "../../src/decision/verb.js";

describe("verbFor", () => {
  it.each([
    ["GET", "get"],
    ["HEAD", "get"],
    ["POST", "create"],
    ["PUT", "update"],
    ["PATCH", "patch"],
    ["DELETE", "delete"],
    ["OPTIONS", "options"],
    ["PROPFIND", "propfind"],
  ])("maps %s to %s as kube-apiserver does (others: the lower-case method)", (method, verb) => {
    expect(verbFor(method)).toBe(verb);
  });

  it("does not read inherited properties as verbs", () => {
    expect(verbFor("CONSTRUCTOR")).toBe("constructor");
    expect(verbFor("__PROTO__")).toBe("__proto__");
  });
});
