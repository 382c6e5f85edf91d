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
