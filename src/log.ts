/**
 * Structured JSON logs (pino). Contract: no password, token or Authorization value is ever passed to a logger;
 * the redact list is a second line of defence for fields that could carry them by mistake.
 */
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

const REDACT = [
  "authorization",
  "password",
  "token",
  "*.authorization",
  "*.password",
  "*.token",
  "headers.authorization",
  "headers.cookie",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "rbac-gate" },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
