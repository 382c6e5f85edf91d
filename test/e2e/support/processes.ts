/**
 * Child processes for end-to-end tests: every process started here is tracked and ended by stopAll(), which the
 * suites call in afterAll, so a failing test leaves nothing running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

const running = new Set<Started>();

// Last resort when the test runner itself exits (an interrupt, a crash): no child outlives it.
process.once("exit", () => {
  for (const p of running) p.child.kill("SIGKILL");
});

/**
 * Starts a tracked process. With stdoutFile, its standard output goes to that file instead of output(): for what a
 * process writes through C's stdio (V8's own prints), which drops what it cannot write to a full pipe.
 */
export function start(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  stdoutFile?: string,
): Started {
  const stdout = stdoutFile === undefined ? "pipe" : openSync(stdoutFile, "w");
  const child = spawn(command, args, { env, stdio: ["ignore", stdout, "pipe"] });
  if (typeof stdout === "number") closeSync(stdout);
  // Everything a test run prints is kept; a benchmark's millions of log lines are capped at about the last 32 MB
  // (whole chunks dropped from the front, so keeping up costs nothing per byte).
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (d: Buffer) => {
    chunks.push(d);
    size += d.length;
    while (size > 32 * 1024 * 1024 && chunks.length > 1) size -= (chunks.shift() as Buffer).length;
  };
  const output = () => Buffer.concat(chunks).toString("utf8");
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started: Started = {
    child,
    output,
    exited,
    async stop() {
      running.delete(started);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(started);
  return started;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Resolves once GET url answers with any status; rejects after timeoutMs or when the process exits first. */
export async function waitForHttp(url: string, proc?: Started, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) {
      throw new Error(`process exited (${proc.child.exitCode}) before ${url} answered:\n${proc.output()}`);
    }
    const up = await new Promise<boolean>((resolve) => {
      const request = url.startsWith("https:") ? httpsRequest : httpRequest;
      const req = request(url, { timeout: 1000, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
    if (up) return;
    if (Date.now() > end) throw new Error(`${url} did not answer within ${timeoutMs} ms\n${proc?.output() ?? ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
