import { connect } from "node:net";

/**
 * Sends bytes exactly as given over TCP and returns the status code of the reply: for requests a well-behaved
 * HTTP client refuses to produce (bare CR or LF in headers, invalid bytes). The socket is not half-closed (nginx
 * would take that for a client abort); the request should say "Connection: close".
 */
export function sendRaw(port: number, bytes: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    socket.setTimeout(5000, () => socket.destroy());
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (d) => {
      data += d;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(m ? Number(m[1]) : 0);
    });
  });
}
