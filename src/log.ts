/**
 * Structured JSON logs (pino). Contract: no password, token or Authorization value is ever passed to a logger;
 * the redact list is a second line of defence for fields that could carry them by mistake.
 */
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

// Top-level and one level down, by name: wildcards would make every line pay for a walk of every object.
const REDACT = ["authorization", "password", "token", "headers.authorization", "headers.cookie", "err.config"];

/**
 * Lines are written in batches of up to 4 KiB (one write per batch, not per line: at thousands of decisions a
 * second the audit log would otherwise cost a system call each), flushed at least every 250 ms and at exit. At
 * most 16 MiB wait for a slow stdout; past that, lines are dropped.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  let stream = destination;
  if (!stream) {
    // maxLength bounds the buffer when stdout cannot keep up (a stalled log collector): lines are dropped rather
    // than memory growing without end.
    const boom = pino.destination({ sync: false, minLength: 4096, maxLength: 16 * 1024 * 1024 });
    setInterval(() => boom.flush(), 250).unref();
    stream = boom;
  }
  return pino(
    {
      level,
      base: { service: "rbac-gate" },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/**
 * Readable lines for local use (`--log-format text`): "12:00:01 info rbac-gate listening address=127.0.0.1:8080".
 * Each JSON line is parsed again, so this costs more than JSON: for a terminal, not for production.
 */
export function textDestination(out: NodeJS.WritableStream = process.stdout): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { time, level, msg, service: _service, ...fields } = entry;
      const clock = typeof time === "string" ? time.slice(11, 19) : "";
      const rest = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
        .join(" ");
      out.write(`${clock} ${String(level).padEnd(5)} ${String(msg ?? "")}${rest ? ` ${rest}` : ""}\n`);
    },
  };
}

/**
 * Writes what the logger still holds, then exits. Lines are written asynchronously in batches: an exit right after
 * logger.flush() can lose the last ones (the "shut down" line, the reason of a failure). A stdout that does not
 * drain within a second does not hold the exit.
 */
export function flushThenExit(logger: Logger, code: number): void {
  const stalled = setTimeout(() => process.exit(code), 1000);
  logger.flush(() => {
    clearTimeout(stalled);
    process.exit(code);
  });
}
