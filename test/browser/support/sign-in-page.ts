/**
 * The sign-in service an auth-signin annotation points at (oauth2-proxy's /oauth2/start, say), reduced to a page
 * that names where the person will return: the rd= parameter nginx added.
 */
import { createServer, type Server } from "node:http";
import { escapeHtml } from "../../e2e/support/upstream.js";

export interface SignInPage {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSignInPage(port: number): Promise<SignInPage> {
  const server: Server = createServer((req, res) => {
    const rd = new URL(req.url ?? "/", "http://sign-in").searchParams.get("rd") ?? "";
    res
      .writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
      .end(
        `<!doctype html><title>Sign in</title><h1>Sign in</h1><p>Then back to <span id="rd">${escapeHtml(rd)}</span></p>`,
      );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
