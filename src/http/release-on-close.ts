/**
 * Closed connections let go of their listeners: a contract of the auth listeners (plain and TLS).
 *
 * node:http gives every connection's socket listeners bound to that connection's state: its parser, its request
 * and response queues, the socket itself. A closed socket keeps them, and with them V8's scavenges kept every closed
 * connection's objects (about 1.2 kB) until they were promoted to the old generation. Under ingress-nginx's default,
 * a new connection per auth subrequest, that filled the old generation with garbage at the request rate: a full
 * collection every 0.25–0.45 s, 10–16 µs of garbage-collection CPU per request, against 1.5–3 µs once the listeners
 * go (docs/performance.md, "Closed connections let go of their listeners"). Node's bare http server at the same
 * semi-space size does the same; a bare net server, whose sockets carry no such listeners, does not. Which root
 * keeps the listeners through a scavenge was not identified; dropping them is what was measured to end it.
 *
 * After "close" a socket emits nothing more (a destroyed stream swallows later errors), so the listeners are dead
 * weight. "error" listeners stay anyway, so that nothing can ever raise an unhandled error event on a closed socket.
 * Removing listeners inside the "close" emit is safe: Node calls the ones registered when the emit began.
 */
import type { Server } from "node:net";
import type { Duplex } from "node:stream";

/**
 * Makes every connection that `event` announces drop its listeners, but its "error" ones, once it has closed:
 * "connection" for node:http, "secureConnection" for node:https, whose TLS sockets carry node:http's listeners.
 */
export function releaseListenersOnClose(server: Server, event: "connection" | "secureConnection"): void {
  server.on(event, (socket: Duplex) => socket.once("close", () => dropListeners(socket)));
}

function dropListeners(socket: Duplex): void {
  for (const name of socket.eventNames()) if (name !== "error") socket.removeAllListeners(name);
}
