/**
 * The Redis/Valkey connection behind shared regulation (@redis/client, no dependencies of its own). Commands are
 * never queued while the connection is down: they fail at once, so regulation falls back to this replica's
 * counters instead of waiting; the client reconnects in the background.
 */
import { createClient } from "@redis/client";
import type { EvalScript } from "./shared-regulation.js";

export interface RegulationStore {
  readonly run: EvalScript;
  /** Settles when the first connection is made or has failed; until then attempts are counted locally. */
  readonly connected: Promise<void>;
  close(): Promise<void>;
}

export function openRegulationStore(url: string, onError: (error: unknown) => void): RegulationStore {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000) },
  });
  client.on("error", onError);
  const connected = client.connect().then(
    () => undefined,
    (error: unknown) => onError(error),
  );
  return {
    connected,
    run: (script, keys, args) => client.eval(script, { keys, arguments: args }),
    close: async () => {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}
