import { describe, expect, it } from "vitest";
import { v8FlagsFor } from "../src/v8-flags.js";
import { fail, ok } from "../src/vocabulary/result.js";

describe("v8FlagsFor", () => {
  it("turns V8's Maglev tier off when neither node's command line nor RBAC_GATE_MAGLEV says otherwise", () => {
    expect(v8FlagsFor([], undefined)).toEqual(ok(["--no-maglev"]));
    expect(v8FlagsFor(["--enable-source-maps", "--trace-opt"], "off")).toEqual(ok(["--no-maglev"]));
  });

  it("leaves Maglev to a choice made on node's command line, in any of V8's spellings", () => {
    for (const option of ["--maglev", "--no-maglev", "--nomaglev", "--no_maglev", "-maglev", "-no-maglev"])
      expect(v8FlagsFor([option], undefined), option).toEqual(ok([]));
  });

  it("keeps Maglev on with RBAC_GATE_MAGLEV=on, the way back a chart's extraEnv can reach", () => {
    expect(v8FlagsFor([], "on")).toEqual(ok([]));
  });

  it("refuses any other RBAC_GATE_MAGLEV, naming what it must be", () => {
    expect(v8FlagsFor([], "yes")).toEqual(fail('RBAC_GATE_MAGLEV has "yes": it must be on or off'));
    expect(v8FlagsFor([], "")).toEqual(fail('RBAC_GATE_MAGLEV has "": it must be on or off'));
  });

  it("does not take another flag that merely starts like it for a choice", () => {
    expect(v8FlagsFor(["--maglev-inlining"], undefined)).toEqual(ok(["--no-maglev"]));
  });
});
