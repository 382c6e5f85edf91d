/**
 * Debian's browsers driven headless by puppeteer-core, each with a profile of its own in a private temporary folder
 * that close() removes: Chromium over the DevTools protocol, Firefox ESR over WebDriver BiDi.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, launch } from "puppeteer-core";

export type BrowserName = "chromium" | "firefox";

export const EXECUTABLES: Readonly<Record<BrowserName, string>> = {
  chromium: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
  firefox: process.env.FIREFOX_BIN ?? "/usr/bin/firefox-esr",
};

/** Every name the tests use resolves to 127.0.0.1, so pages keep the Ingress host in their URL and Host header. */
export const TEST_DOMAIN = "example.test";
export const APP_HOST = `app.${TEST_DOMAIN}`;
export const SIGN_IN_HOST = `signin.${TEST_DOMAIN}`;

export interface RunningBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startBrowser(name: BrowserName): Promise<RunningBrowser> {
  const profile = mkdtempSync(join(tmpdir(), `rbac-gate-${name}-`));
  const browser = name === "chromium" ? await launchChromium(profile) : await launchFirefox(profile);
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function launchChromium(profile: string): Promise<Browser> {
  return launch({
    executablePath: EXECUTABLES.chromium,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox", // the tests may run as root, where Chromium's sandbox refuses to start
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      // Without these, Chromium calls Google's services at start-up; a closed network refuses them, many at a time.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--host-resolver-rules=MAP *.${TEST_DOMAIN} 127.0.0.1`,
    ],
  });
}

function launchFirefox(profile: string): Promise<Browser> {
  return launch({
    browser: "firefox",
    executablePath: EXECUTABLES.firefox,
    headless: true,
    userDataDir: profile,
    // Firefox resolves the names listed here to the loopback address.
    extraPrefsFirefox: { "network.dns.localDomains": `${APP_HOST},${SIGN_IN_HOST}` },
  });
}
