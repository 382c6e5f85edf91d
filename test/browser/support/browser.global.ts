/** Global setup of the browser project: checks the browsers are there and builds dist/ (rbac-gate runs from it). */
import { existsSync } from "node:fs";
import { buildDist } from "../../e2e/support/build-dist.js";
import { EXECUTABLES } from "./browsers.js";

export default function setup(): void {
  const missing = Object.values(EXECUTABLES).filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} missing: apt-get install chromium firefox-esr (or set CHROMIUM_BIN, FIREFOX_BIN)`,
    );
  }
  buildDist();
}
