/**
 * The protected app: answers "Hello" and records the headers of every request that reached it. GET /whoami is a
 * small HTML page naming the identity nginx passed on, so that a browser's screenshot shows who signed in.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface Upstream {
  readonly port: number;
  readonly seen: Array<{ url: string; method: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startUpstream(port: number): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", method: req.method ?? "", headers: req.headers });
    if (req.url === "/whoami") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(whoami(req.headers));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain" }).end("Hello");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function whoami(headers: IncomingHttpHeaders): string {
  const user = escapeHtml(String(headers["x-auth-request-user"] ?? ""));
  return `<!doctype html><title>whoami</title><h1>Signed in as <span id="user">${user}</span></h1>`;
}

/** Text as HTML that shows it and runs nothing. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
