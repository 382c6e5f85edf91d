/**
 * A person in Debian's Chromium in front of an app behind Debian's nginx configured as ingress-nginx renders
 * auth-url, with rbac-gate answering. Chromium's login prompt is answered through the DevTools protocol, as a person
 * types into it or cancels it, so each challenge Chromium met is seen; every test keeps a screenshot of what the
 * person sees (test-results/browser/).
 */
import { describe, expect, it } from "vitest";
import { answerPrompts } from "./support/auth-prompt.js";
import { useBrowserScene } from "./support/browser-scene.js";
import { APP_HOST } from "./support/browsers.js";
import { REALM, USERS } from "./support/scene.js";
import { screenshot } from "./support/screenshots.js";
import { expectRedirectToSignIn } from "./support/sign-in-story.js";

const t = useBrowserScene("chromium");

describe("As a person in Chromium", () => {
  it("without credentials, the 401 makes Chromium prompt for a Basic login, and cancelling shows the 401 page", async () => {
    const prompts = await answerPrompts(t.page, ["cancel"]);
    const response = await t.page.goto(t.scene.app("/whoami"));

    expect(prompts.challenges).toEqual([
      { source: "Server", origin: `http://${APP_HOST}:${t.scene.nginx.plainPort}`, scheme: "basic", realm: REALM },
    ]);
    expect(response?.status()).toBe(401);
    expect(await t.page.$eval("body", (body) => body.textContent)).toContain("401 Authorization Required");
    expect(t.scene.upstream.seen).toHaveLength(0);
    expect(await screenshot(t.page, "chromium-basic-prompt-cancelled")).toBeGreaterThan(0);
  });

  it("with a UTF-8 password typed into the prompt, I reach the app", async () => {
    const prompts = await answerPrompts(t.page, [USERS.bcrypt]);
    const response = await t.page.goto(t.scene.app("/whoami"));

    expect(prompts.challenges).toHaveLength(1);
    expect(response?.status()).toBe(200);
    expect(t.scene.upstream.seen.map((r) => r.headers["x-auth-request-user"])).toEqual([USERS.bcrypt.username]);
    // nginx passes the client's Authorization on to the app: Chromium sent the password's UTF-8 bytes, the encoding
    // the challenge's charset="UTF-8" names (RFC 7617), not ISO-8859-1.
    const sent = String(t.scene.upstream.seen[0]?.headers.authorization).replace(/^Basic /, "");
    expect(Buffer.from(sent, "base64").toString("utf8")).toBe(`${USERS.bcrypt.username}:${USERS.bcrypt.password}`);
    expect(await screenshot(t.page, "chromium-utf8-password")).toBeGreaterThan(0);
  });

  it("with a wrong password, I am prompted again, and the right one then loads the page", async () => {
    const prompts = await answerPrompts(t.page, [{ username: USERS.apr1.username, password: "passwort" }, USERS.apr1]);
    const response = await t.page.goto(t.scene.app("/whoami"));

    expect(prompts.challenges.map((c) => c.realm)).toEqual([REALM, REALM]);
    expect(response?.status()).toBe(200);
    expect(t.scene.upstream.seen).toHaveLength(1);
    expect(await screenshot(t.page, "chromium-wrong-password-then-right")).toBeGreaterThan(0);
  });

  it("once signed in, the page loads with my identity as the app received it from nginx", async () => {
    await answerPrompts(t.page, [USERS.apr1]);
    await t.page.goto(t.scene.app("/whoami"));

    expect(await t.page.$eval("h1", (h1) => h1.textContent)).toBe(`Signed in as ${USERS.apr1.username}`);
    expect(await t.page.$eval("#user", (user) => user.textContent)).toBe(USERS.apr1.username);
    expect(await screenshot(t.page, "chromium-identity-shown-by-the-app")).toBeGreaterThan(0);
  });

  it("behind auth-signin, without credentials, I am redirected to the sign-in page with my URL in rd and never prompted", async () => {
    const prompts = await answerPrompts(t.page, []);
    await expectRedirectToSignIn(t.page, t.scene);

    expect(prompts.challenges).toEqual([]);
    expect(await screenshot(t.page, "chromium-auth-signin-redirect")).toBeGreaterThan(0);
  });
});
