/**
 * The Basic prompt as a person meets it, seen through the DevTools protocol: with Fetch.enable's
 * handleAuthRequests, every challenge Chromium would show as a login dialog arrives as Fetch.authRequired, and is
 * answered as the person would (type a user and password, or cancel). Each prompt takes the next answer; a prompt
 * with no answer left is cancelled, as a person gives up.
 */
import type { Page, Protocol } from "puppeteer-core";

export type PromptAnswer = { readonly username: string; readonly password: string } | "cancel";

export interface AuthPrompts {
  /** Every challenge Chromium met, in order. */
  readonly challenges: Protocol.Fetch.AuthChallenge[];
}

export async function answerPrompts(page: Page, answers: readonly PromptAnswer[]): Promise<AuthPrompts> {
  const challenges: Protocol.Fetch.AuthChallenge[] = [];
  const pending = [...answers];
  const cdp = await page.createCDPSession();
  // Requests paused by the pattern continue unchanged: the pattern is only what handleAuthRequests needs.
  cdp.on("Fetch.requestPaused", ({ requestId }) => {
    cdp.send("Fetch.continueRequest", { requestId }).catch(() => {});
  });
  cdp.on("Fetch.authRequired", ({ requestId, authChallenge }) => {
    challenges.push(authChallenge);
    const answer = pending.shift() ?? "cancel";
    const authChallengeResponse: Protocol.Fetch.AuthChallengeResponse =
      answer === "cancel" ? { response: "CancelAuth" } : { response: "ProvideCredentials", ...answer };
    cdp.send("Fetch.continueWithAuth", { requestId, authChallengeResponse }).catch(() => {});
  });
  await cdp.send("Fetch.enable", { handleAuthRequests: true, patterns: [{ urlPattern: "*" }] });
  return { challenges };
}
