/**
 * The auth listener hands bodiless requests over with their body already ended (http/server-options.ts). A request
 * that does carry a body must still be read to its end, or the next request on the connection would be read from the
 * middle of it: checked on one keep-alive connection, requests pipelined, against the real process.
 */
import { connect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { basic } from "./support/http-client.js";
import { stopAll } from "./support/processes.js";
import { startRbacGate } from "./support/rbac-gate.js";

afterAll(stopAll);

/** Writes raw bytes on one connection and reads until `count` responses' status lines have arrived (or 5 s). */
function exchange(port: number, raw: string, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, 5000);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if ((received.match(/^HTTP\/1\.1 \d{3}/gm) ?? []).length >= count) done();
    });
    socket.on("error", reject);
    socket.write(raw);
  });
}

const request = (path: string, authorization: string | undefined, body = "") =>
  `GET /auth?host=localhost HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Original-URL: http://localhost${path}\r\n` +
  `X-Original-Method: GET\r\n${authorization ? `Authorization: ${authorization}\r\n` : ""}${body}`;

describe("As a proxy keeping connections open", () => {
  it("gets each pipelined auth request answered in order, whether it carries a body or not", async () => {
    const gate = await startRbacGate();
    const demo = basic("demo", "demo");
    // A body that reads as a request of its own: it must be taken as /a's body, never answered.
    const smuggled = "GET /auth?host=evil HTTP/1.1\r\n\r\n";
    const raw =
      request("/a", demo, `Content-Length: ${smuggled.length}\r\n\r\n${smuggled}`) +
      request("/b", undefined, "\r\n") +
      request("/c", demo, "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n") +
      request("/d", demo, "\r\n");
    const answers = await exchange(gate.port, raw, 4);
    expect([...answers.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(["200", "401", "200", "200"]);
    await gate.process.stop();
  });
});
