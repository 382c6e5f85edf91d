/**
 * The auth listener hands bodiless requests over with their body already ended (http/server-options.ts). A request
 * that does carry a body must still be read to its end, or the next request on the connection would be read from the
 * middle of it: checked on one keep-alive connection, requests pipelined, against the real process.
 */
import { afterAll, describe, expect, it } from "vitest";
import { basic } from "./support/http-client.js";
import { stopAll } from "./support/processes.js";
import { exchangeRaw } from "./support/raw-http.js";
import { startRbacGate } from "./support/rbac-gate.js";

afterAll(stopAll);

const request = (path: string, authorization: string | undefined, rest = "") =>
  `GET /auth?host=localhost HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Original-URL: http://localhost${path}\r\n` +
  `X-Original-Method: GET\r\n${authorization ? `Authorization: ${authorization}\r\n` : ""}${rest}`;

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
      request("/d", demo, "Connection: close\r\n\r\n");
    // The last request closes the connection: every answer the server gave is in the reply.
    const { head, body } = await exchangeRaw(gate.port, raw);
    const answers = `${head}\r\n\r\n${body}`;
    expect([...answers.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1])).toEqual(["200", "401", "200", "200"]);
    await gate.process.stop();
  });
});
