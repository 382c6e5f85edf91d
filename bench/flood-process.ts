/**
 * One attacker of bench:attack in a process of its own, so that the client measuring latencies does not share its
 * event loop with thousands of attack requests. Started by fork() with its parameters as JSON in argv[2]; each
 * message "burst" sends one burst and answers with its answers by status; "close" ends it.
 */
import { byStatus, createFlooder, randomToken } from "../test/e2e/support/flood.js";

export interface AttackerSpec {
  readonly port: number;
  /** Requests per burst. */
  readonly concurrency: number;
  readonly address: string;
  readonly host: string;
  /** "password": wrong passwords for user; "token": random bearer tokens. */
  readonly kind: "password" | "token";
  readonly user?: string;
}

const spec = JSON.parse(process.argv[2] as string) as AttackerSpec;
const flooder = createFlooder(spec.port, spec.address);
const credentials = () =>
  spec.kind === "token"
    ? `Bearer ${randomToken()}`
    : `Basic ${Buffer.from(`${spec.user}:wrong-${Math.random().toString(36).slice(2)}`).toString("base64")}`;
process.on("message", async (message) => {
  if (message === "close") {
    flooder.close();
    process.exit(0);
  }
  const answers = await flooder.burst(spec.concurrency, () => ({ Host: spec.host, Authorization: credentials() }));
  process.send?.(byStatus(answers));
});
process.send?.("ready");
