import { once } from "node:events";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createAuthServer } from "../../src/http/server-options.js";
import { createTlsServer } from "../../src/http/tls.js";
import { http, https } from "../../src/node-http.js";
import { certificateFolder, issue, makeCa } from "../support/certificates.js";
import { memoryLogger } from "../support/service.js";

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

const answer: RequestListener = (_req, res) => {
  res.writeHead(200, { "Content-Length": "0" });
  res.end();
};

interface Seen {
  /** The socket's event names while its request was answered, and once it had closed. */
  readonly whileOpen: (string | symbol)[];
  readonly afterClose: (string | symbol)[];
  /** The names of the functions still listening once it had closed: a bound function's name starts with "bound ". */
  readonly listenersAfterClose: string[];
}

/** The events whose listeners node:http binds to the connection's state. */
const boundEvents = ["data", "end", "drain", "close"];

/** Asserts the contract: node:http's bound listeners were there while open, and none is left, error ones are. */
function expectReleased(seen: Seen): void {
  expect(seen.whileOpen).toEqual(expect.arrayContaining([...boundEvents, "error"]));
  expect(seen.afterClose.filter((name) => boundEvents.includes(String(name)))).toEqual([]);
  expect(seen.afterClose).toContain("error");
  expect(seen.listenersAfterClose.filter((name) => name.startsWith("bound "))).toEqual([]);
}

/** Sends one request on a connection of its own, and reports the server side's socket as it was and as it is left. */
async function oneConnection(server: Server, event: string, ask: (port: number) => Promise<void>): Promise<Seen> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  let whileOpen: (string | symbol)[] = [];
  const closed = new Promise<Duplex>((resolve) =>
    server.on(event, (socket: Duplex) => {
      server.once("request", () => {
        whileOpen = socket.eventNames();
      });
      // Read after every "close" listener has run, the releasing one included.
      socket.once("close", () => setImmediate(() => resolve(socket)));
    }),
  );
  await ask((server.address() as AddressInfo).port);
  const socket = await closed;
  const afterClose = socket.eventNames();
  const listenersAfterClose = afterClose.flatMap((name) => socket.listeners(name).map((f) => f.name));
  return { whileOpen, afterClose, listenersAfterClose };
}

const get = (module: typeof http | typeof https, options: object) => (port: number) =>
  new Promise<void>((resolve, reject) => {
    const req = module.get({ host: "127.0.0.1", port, agent: false, ...options }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
  });

describe("A connection the auth listener has closed", () => {
  it("keeps none of node:http's bound listeners, and its error ones, on the plain listener", async () => {
    const seen = await oneConnection(createAuthServer(answer), "connection", get(http, {}));
    expectReleased(seen);
    // What stays: the error listener and node:http's plain functions, which hold no connection state. A Node.js that
    // adds a listener under another event name fails here, to be looked at.
    expect([...seen.afterClose].map(String).sort()).toEqual(["error", "pause", "resume", "timeout"]);
  });

  it("keeps node:http's bound listeners without the release: what the release is for", async () => {
    const seen = await oneConnection(http.createServer(answer), "connection", get(http, {}));
    expect(seen.afterClose).toEqual(expect.arrayContaining(boundEvents));
    expect(seen.listenersAfterClose.filter((name) => name.startsWith("bound ")).length).toBeGreaterThanOrEqual(4);
  });

  it("keeps none of node:http's bound listeners, and its error ones, on the TLS listener", async () => {
    const ca = makeCa(certificateFolder(), "ca");
    const leaf = issue(ca, "server", "/CN=127.0.0.1");
    const { server, watches } = createTlsServer(leaf, answer, memoryLogger().logger);
    for (const w of watches) w.close();
    const seen = await oneConnection(server, "secureConnection", get(https, { rejectUnauthorized: false }));
    expectReleased(seen);
    // What stays: the error listeners and node:tls's and node:http's plain functions. A Node.js that adds a listener
    // under another event name fails here, to be looked at.
    expect([...seen.afterClose].map(String).sort()).toEqual([
      "_tlsError",
      "error",
      "newListener",
      "pause",
      "resume",
      "secure",
      "timeout",
    ]);
  });

  it("still runs the close listeners registered after the release's", async () => {
    const server = createAuthServer(answer);
    const ran: string[] = [];
    server.on("connection", (socket: Duplex) => socket.once("close", () => ran.push("later listener")));
    const seen = await oneConnection(server, "connection", get(http, {}));
    expectReleased(seen);
    expect(ran).toEqual(["later listener"]);
  });

  it("lets a request whose client went away end quietly: its response closes, a late answer is dropped, the server still closes", async () => {
    const late: Promise<void>[] = [];
    const server = createAuthServer((_req, res) => {
      // The decision comes after the client has gone, as a slow one would.
      late.push(
        new Promise((resolve) =>
          res.on("close", () =>
            setImmediate(() => {
              res.writeHead(200, { "Content-Length": "0" });
              res.end();
              resolve();
            }),
          ),
        ),
      );
    });
    const seen = await oneConnection(server, "connection", async (port) => {
      const req = http.get({ host: "127.0.0.1", port, agent: false });
      req.on("error", () => undefined);
      await once(server, "request");
      req.destroy();
    });
    await Promise.all(late);
    expectReleased(seen);
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });
});
