/** Screenshots kept as test artifacts in test-results/browser/ (git-ignored), one per test, named after it. */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "puppeteer-core";

export const SCREENSHOTS = fileURLToPath(new URL("../../../test-results/browser/", import.meta.url));

/** Saves the page as <name>.png, prints the path and returns the file's size (0 when nothing was written). */
export async function screenshot(page: Page, name: string): Promise<number> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^\w-]+/g, "-")}.png`);
  await page.screenshot({ path });
  process.stdout.write(`browser: screenshot ${path}\n`);
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
