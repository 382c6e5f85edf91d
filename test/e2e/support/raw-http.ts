import { connect } from "node:net";

export interface RawReply {
  readonly status: number;
  /** The status line and headers, as latin1. */
  readonly head: string;
  /** Everything after the head, as latin1. */
  readonly body: string;
}

/**
 * Sends bytes exactly as given over TCP and returns the status and body of the reply: for requests a well-behaved
 * HTTP client refuses to produce (bare CR or LF in headers, invalid bytes, absolute-form targets). The socket is not
 * half-closed (nginx would take that for a client abort); the request should say "Connection: close".
 */
export function exchangeRaw(port: number, bytes: string | Buffer): Promise<RawReply> {
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
      const end = data.indexOf("\r\n\r\n");
      resolve({
        status: m ? Number(m[1]) : 0,
        head: end === -1 ? data : data.slice(0, end),
        body: end === -1 ? "" : data.slice(end + 4),
      });
    });
  });
}

/** The status code of exchangeRaw's reply. */
export const sendRaw = async (port: number, bytes: string | Buffer): Promise<number> =>
  (await exchangeRaw(port, bytes)).status;
