/**
 * A person in Debian's Firefox ESR (WebDriver BiDi) in front of an app behind Debian's nginx configured as
 * ingress-nginx renders auth-url, with rbac-gate answering. puppeteer answers Firefox's login prompt (the BiDi
 * network.authRequired phase, reached only through a 401's challenge) with the credentials of page.authenticate()
 * once per request and cancels any prompt after it. It shows no challenge details, and without credentials it leaves
 * Firefox's own dialog open, which holds the navigation: the challenges themselves, and cancelling a prompt before
 * any password, are checked in Chromium (chromium.test.ts).
 */
import { describe, expect, it } from "vitest";
import { useBrowserScene } from "./support/browser-scene.js";
import { USERS } from "./support/scene.js";
import { screenshot } from "./support/screenshots.js";
import { expectRedirectToSignIn } from "./support/sign-in-story.js";

const t = useBrowserScene("firefox");

describe("As a person in Firefox", () => {
  it("with a UTF-8 password, the page loads with my identity as the app received it from nginx", async () => {
    await t.page.authenticate(USERS.bcrypt);
    const response = await t.page.goto(t.scene.app("/whoami"));

    expect(response?.status()).toBe(200);
    expect(await t.page.$eval("#user", (user) => user.textContent)).toBe(USERS.bcrypt.username);
    // nginx passes the client's Authorization on to the app: the password's UTF-8 bytes, as charset="UTF-8" names.
    const sent = String(t.scene.upstream.seen[0]?.headers.authorization).replace(/^Basic /, "");
    expect(Buffer.from(sent, "base64").toString("utf8")).toBe(`${USERS.bcrypt.username}:${USERS.bcrypt.password}`);
    expect(await screenshot(t.page, "firefox-identity-shown-by-the-app")).toBeGreaterThan(0);
  });

  it("with a wrong password, I do not reach the app and, once the prompt is dismissed, see the 401 page", async () => {
    await t.page.authenticate({ username: USERS.apr1.username, password: "passwort" });
    const response = await t.page.goto(t.scene.app("/whoami"));

    expect(response?.status()).toBe(401);
    expect(t.scene.upstream.seen).toHaveLength(0);
    expect(await screenshot(t.page, "firefox-wrong-password")).toBeGreaterThan(0);
  });

  it("behind auth-signin, without credentials, I am redirected to the sign-in page with my URL in rd", async () => {
    await expectRedirectToSignIn(t.page, t.scene);
    expect(await screenshot(t.page, "firefox-auth-signin-redirect")).toBeGreaterThan(0);
  });
});
