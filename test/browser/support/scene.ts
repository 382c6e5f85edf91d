/**
 * What every browser test meets: rbac-gate with htpasswd users made by the real htpasswd, the upstream app, Debian's
 * nginx as ingress-nginx renders auth-url (and auth-signin, pointing at a sign-in page of its own), all on free
 * ports and stopped by close().
 */
import { startGateBehindNginx } from "../../e2e/support/gate-behind-nginx.js";
import type { Nginx } from "../../e2e/support/nginx.js";
import { freePort } from "../../e2e/support/ports.js";
import { stopAll } from "../../e2e/support/processes.js";
import type { Upstream } from "../../e2e/support/upstream.js";
import { readFixture } from "../../support/fixtures.js";
import { APP_HOST, SIGN_IN_HOST } from "./browsers.js";
import { type SignInPage, startSignInPage } from "./sign-in-page.js";

/** From test/fixtures/htpasswd/make-vectors.sh (htpasswd); both hash the password's UTF-8 bytes. */
export const USERS = {
  bcrypt: { username: "utf8-bcrypt", password: "pässwörd-☃" },
  apr1: { username: "utf8-apr1", password: "pässwörd" },
} as const;
export const REALM = "hello app";

const HTPASSWD = readFixture("htpasswd/vectors.htpasswd")
  .split("\n")
  .filter((line) => /^utf8-(bcrypt|apr1):/.test(line))
  .join("\n");
const CONFIG = `
realm: ${REALM}
htpasswd:
  files:
    - name: team
      path: users.htpasswd
routes:
  - host: ${APP_HOST}
    htpasswd: team
    allow: { authenticated: true }
`;

export interface Scene {
  readonly upstream: Upstream;
  readonly nginx: Nginx;
  readonly signIn: SignInPage;
  /** The URL of path on the app, through nginx's plain auth-url server or (signin) its auth-signin one. */
  app(path: string, server?: "plain" | "signin"): string;
  close(): Promise<void>;
}

export async function startScene(): Promise<Scene> {
  const signInPort = await freePort();
  const { upstream, nginx } = await startGateBehindNginx(
    { "config.yaml": CONFIG, "users.htpasswd": HTPASSWD },
    {},
    { signinUrl: `http://${SIGN_IN_HOST}:${signInPort}/start` },
  );
  const signIn = await startSignInPage(signInPort);
  return {
    upstream,
    nginx,
    signIn,
    app: (path, server = "plain") =>
      `http://${APP_HOST}:${server === "plain" ? nginx.plainPort : nginx.signinPort}${path}`,
    async close() {
      await signIn.close();
      await upstream.close();
      await stopAll();
    },
  };
}
