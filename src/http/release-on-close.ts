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
 * The listeners that go are those of "data", "end", "drain" and "close", the events node:http binds to the
 * connection's state. node:net and node:http emit nothing after "close" that they act on: errors on a destroyed
 * stream are dropped, its timers are cleared, and "end" and "drain" are past. "error" listeners (and errorMonitor
 * ones) stay, so that no error handled before the release becomes an unhandled one, and so do node:http's plain
 * "timeout", "resume" and "pause" functions, which hold nothing. Removing listeners inside the "close" emit is safe:
 * Node calls every listener registered when the emit began, whether registered before this one (node:http's
 * connection listener, added when the server is made) or after it (a response's close handling, a request's abort
 * signal).
 *
 * The collections were measured on the plain listener; the TLS listener's sockets carry the same node:http
 * listeners, and lose them the same way (test/http/release-on-close.test.ts).
 */
import type { Server } from "node:net";
import type { Duplex } from "node:stream";

/**
 * Makes every connection that `event` announces drop all its "data", "end", "drain" and "close" listeners once it
 * has closed (node:http's bound ones, and node:net's, node:tls's or anyone's on those events): "connection" for
 * node:http, "secureConnection" for node:https, whose TLS sockets carry node:http's listeners.
 */
export function releaseListenersOnClose(server: Server, event: "connection" | "secureConnection"): void {
  server.on(event, onConnection);
}

// One listener for every connection, which gets its socket as `this`: no closure and no once() wrapper per connection.
// With a closure registered through once(), rbac-gate spent about a tenth more CPU time per request under
// Connection: close (docs/performance.md, "The allow cache's key, and the release at close").
function onConnection(socket: Duplex): void {
  socket.on("close", dropListeners);
}

// Naming the four events, rather than walking eventNames() and sparing the error ones, cost about a tenth less CPU
// per request under Connection: close (docs/performance.md, "The release names its four events").
const boundEvents = ["data", "end", "drain", "close"] as const;

function dropListeners(this: Duplex): void {
  for (const name of boundEvents) this.removeAllListeners(name);
}
