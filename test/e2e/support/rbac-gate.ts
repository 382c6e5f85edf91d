/** rbac-gate as a real process, from the built dist/ (the e2e global setup builds it). */
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { type Started, start, waitForHttp } from "./processes.js";

export const MAIN = fileURLToPath(new URL("../../../dist/main.js", import.meta.url));

export interface RunningGate {
  readonly port: number;
  readonly address: string;
  readonly process: Started;
  /** Every JSON log line so far. */
  logs(): Array<Record<string, unknown>>;
  /** Log lines are written in batches (flushed at least every 250 ms): waits until one matches. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export async function startRbacGate(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  scheme: "http" | "https" = "http",
): Promise<RunningGate> {
  const port = await freePort();
  const proc = start(process.execPath, [MAIN, "--port", String(port), ...args], {
    ...process.env,
    ...env,
  });
  await waitForHttp(`${scheme}://127.0.0.1:${port}/healthz`, proc);
  const logs = () =>
    proc
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    port,
    address: `127.0.0.1:${port}`,
    process: proc,
    logs,
    async waitForLog(match, timeoutMs = 3000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = logs().find(match);
        if (found) return found;
        if (Date.now() > end) throw new Error("no matching log line");
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
