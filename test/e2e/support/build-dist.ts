/** Builds dist/ with the project's own TypeScript: end-to-end suites run rbac-gate as users start it (dist/main.js). */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function buildDist(): void {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
