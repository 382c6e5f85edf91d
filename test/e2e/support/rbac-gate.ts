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
  return {
    port,
    address: `127.0.0.1:${port}`,
    process: proc,
    logs: () =>
      proc
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
