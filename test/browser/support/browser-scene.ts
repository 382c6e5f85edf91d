/**
 * The hooks every browser test file shares: one scene and one browser per file, and per test a fresh browser context
 * (no credentials the browser remembered for an origin carry over) with one page. Call at the top of a test file;
 * the fields are set once the hooks have run.
 */
import type { BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { type BrowserName, type RunningBrowser, startBrowser } from "./browsers.js";
import { type Scene, startScene } from "./scene.js";

export interface BrowserScene {
  readonly scene: Scene;
  readonly page: Page;
}

export function useBrowserScene(name: BrowserName): BrowserScene {
  const state = {} as { scene: Scene; page: Page; browser?: RunningBrowser; context?: BrowserContext };
  beforeAll(async () => {
    state.scene = await startScene();
    state.browser = await startBrowser(name);
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.scene?.close();
  });
  beforeEach(async () => {
    state.context = await state.browser?.browser.createBrowserContext();
    if (state.context) state.page = await state.context.newPage();
    state.scene.upstream.seen.length = 0;
  });
  afterEach(async () => {
    await state.context?.close();
  });
  return state;
}
