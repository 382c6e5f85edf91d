/** The auth-signin story, the same in every browser: a 401 becomes nginx's 302 to the sign-in page, never a prompt. */
import type { HTTPResponse, Page } from "puppeteer-core";
import { expect } from "vitest";
import { SIGN_IN_HOST } from "./browsers.js";
import type { Scene } from "./scene.js";

/** Goes to a page of the app behind auth-signin without credentials and checks where the browser landed. */
export async function expectRedirectToSignIn(page: Page, scene: Scene): Promise<void> {
  const original = scene.app("/reports/q3", "signin");
  const response: HTTPResponse | null = await page.goto(original);

  expect(response?.request().redirectChain()[0]?.response()?.status()).toBe(302);
  expect(response?.status()).toBe(200);
  const url = new URL(page.url());
  expect(`${url.host}${url.pathname}`).toBe(`${SIGN_IN_HOST}:${scene.signIn.port}/start`);
  expect(url.searchParams.get("rd")).toBe(original);
  expect(await page.$eval("#rd", (rd) => rd.textContent)).toBe(original);
  expect(scene.upstream.seen).toHaveLength(0);
}
