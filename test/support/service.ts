import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseConfig } from "../../src/config/load.js";
import { createLogger, type Logger } from "../../src/log.js";
import { buildService, type Service, type ServiceOptions } from "../../src/wiring/service.js";

/** A logger whose JSON lines are kept for assertions. */
export function memoryLogger(level = "debug"): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(level, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Writes files into a fresh temporary folder and builds the real service from a YAML config among them. */
export async function serviceFromFiles(
  files: Record<string, string>,
  options: ServiceOptions = {},
): Promise<Service & { dir: string; logs: () => Record<string, unknown>[] }> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-test-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const config = parseConfig(files["config.yaml"] ?? "", dir);
  if (!config.ok) throw new Error(config.error.join("\n"));
  const { logger, lines } = memoryLogger();
  const service = await buildService(config.value, logger, options);
  return { ...service, dir, logs: lines };
}
