/** The protected app: answers "Hello" and records the headers of every request that reached it. */
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
