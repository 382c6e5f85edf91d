import { describe, expect, it } from "vitest";
import { v8FlagsFor } from "../src/v8-flags.js";

describe("v8FlagsFor", () => {
  it("turns V8's Maglev tier off when node's command line says nothing of it", () => {
    expect(v8FlagsFor([])).toEqual(["--no-maglev"]);
    expect(v8FlagsFor(["--enable-source-maps", "--trace-opt"])).toEqual(["--no-maglev"]);
  });

  it("leaves Maglev to a choice made on node's command line, in any of V8's spellings", () => {
    for (const option of ["--maglev", "--no-maglev", "--nomaglev", "--no_maglev", "--maglev=false"])
      expect(v8FlagsFor([option]), option).toEqual([]);
  });

  it("does not take another flag that merely starts like it for a choice", () => {
    expect(v8FlagsFor(["--maglev-inlining"])).toEqual(["--no-maglev"]);
  });
});
