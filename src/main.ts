/**
 * Process entry point: the only place that reads process.env and argv, or exits.
 *
 *   rbac-gate [--config FILE] [--address ADDR] [--port N]
 *
 * Without --config (or RBAC_GATE_CONFIG) the shipped demo configuration is served: user "demo", password "demo",
 * host "localhost". Exit codes: 0 after a clean shutdown, 1 when the configuration or a source is refused at
 * start (every problem printed, one per line), 2 for bad arguments.
 */
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Config } from "./config/config.js";
import { loadConfigFile } from "./config/load.js";
import { createLogger } from "./log.js";
import { createMetricsServer } from "./metrics/server.js";
import { buildService, StartupError } from "./service.js";

const DEMO_CONFIG = fileURLToPath(new URL("../examples/local/config.yaml", import.meta.url));

function refuse(code: number, lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`rbac-gate: ${line}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    refuse(2, [(error as Error).message, "usage: rbac-gate [--config FILE] [--address ADDR] [--port N]"]);
  }
  const configPath = args.config ?? process.env.RBAC_GATE_CONFIG ?? DEMO_CONFIG;
  const loaded = await loadConfigFile(configPath);
  if (!loaded.ok) refuse(1, [`configuration ${configPath} refused:`, ...loaded.error]);

  const portText = args.port ?? process.env.PORT;
  const port = portText === undefined ? loaded.value.listen.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) refuse(2, [`--port has "${portText}": it must be 0-65535`]);
  const config: Config = {
    ...loaded.value,
    listen: { address: args.address ?? loaded.value.listen.address, port },
  };

  const logger = createLogger(config.logLevel);
  let service: Awaited<ReturnType<typeof buildService>>;
  try {
    service = await buildService(config, logger);
  } catch (error) {
    if (error instanceof StartupError) refuse(1, error.problems);
    throw error;
  }

  const server: Server = service.app.listen(config.listen.port, config.listen.address);
  const metricsServer = config.metrics ? createMetricsServer(service.metrics) : undefined;
  if (config.metrics && metricsServer) {
    metricsServer.listen(config.metrics.port, config.metrics.address, () => {
      logger.info({ address: `${config.metrics?.address}:${config.metrics?.port}` }, "metrics listening");
    });
    metricsServer.on("error", (error) => {
      logger.error({ err: error.message }, "cannot serve metrics");
      logger.flush();
      process.exit(1);
    });
  }
  server.keepAliveTimeout = 65_000;
  server.on("listening", () => {
    const address = server.address();
    const bound = typeof address === "object" && address ? `${address.address}:${address.port}` : String(address);
    logger.info({ address: bound, config: configPath }, "rbac-gate listening");
  });
  server.on("error", (error) => {
    logger.error({ err: error.message }, "cannot listen");
    logger.flush();
    process.exit(1);
  });

  // SIGTERM: readiness fails at once, the listener stops accepting, requests already accepted are answered, idle
  // keep-alive connections are closed, then the process exits 0. Past shutdownTimeout it exits 1 regardless.
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    service.drain();
    metricsServer?.close();
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, "requests still running at the shutdown timeout");
      logger.flush();
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    server.close(() => {
      void service.close().finally(() => {
        logger.info("shut down");
        logger.flush();
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

function parse() {
  return parseArgs({
    options: { config: { type: "string" }, address: { type: "string" }, port: { type: "string" } },
    strict: true,
    allowPositionals: false,
  }).values;
}

void main();
