/**
 * The two loads of `npm run bench`. Closed loop, for throughput: wrk, as fast as the setup answers. Open loop, for
 * latency at a fixed offered load: the paced client (paced-process.ts) in a process of its own.
 */
import { execFile, fork } from "node:child_process";
import { promisify } from "node:util";
import type { PacedResult, PacedSpec } from "./paced-process.js";

const execFileAsync = promisify(execFile);

export interface Throughput {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

/**
 * wrk -t1, closed loop. Runs without blocking this process: the child processes' output pipes must keep being
 * drained, or a full pipe stalls rbac-gate's log writes and shows up as latency that is the benchmark's own doing.
 */
export async function wrk(
  port: number,
  seconds: number,
  connections: number,
  authorization: string,
  /** A wrk Lua script (e.g. NEW_PATH_EVERY_REQUEST); none: every request asks for "/". */
  script?: string,
): Promise<Throughput> {
  const { stdout: out } = await execFileAsync(
    "wrk",
    [
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      ...(script ? ["-s", script] : []),
      "-H",
      `Authorization: ${authorization}`,
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: "utf8" },
  );
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    if (!m) return Number.NaN;
    const v = Number(m[1]);
    return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50: ms("50%"),
    p99: ms("99%"),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  };
}

/**
 * wrk's Lua: every request asks for a path never asked before (/n/1, /n/2, ...; one wrk thread, one counter), so
 * no auth request repeats an earlier one and rbac-gate's allowCache never answers: the whole pipeline runs each time.
 */
export const NEW_PATH_EVERY_REQUEST = `local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/n/" .. n)
end
`;

/** The paced client against one port; rejects when it does not answer within its duration plus 30 s. */
export function paced(spec: PacedSpec): Promise<PacedResult> {
  const child = fork(new URL("./paced-process.ts", import.meta.url), [JSON.stringify(spec)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        child.kill("SIGKILL");
        reject(new Error(`paced client on port ${spec.port} did not finish`));
      },
      (spec.seconds + 30) * 1000,
    );
    child.once("message", (m) => {
      clearTimeout(timer);
      resolve(m as PacedResult);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`paced client exited (${code}) without an answer`));
    });
  });
}
