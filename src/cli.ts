/**
 * The command line: the only place that reads process.env and argv, or exits (main.ts checks Node.js's version).
 *
 *   rbac-gate [--config FILE] [--address ADDR] [--port N] [--log-level LEVEL] | --help | --version
 *   rbac-gate explain --config FILE --url URL [--method M] (--token T | --user U [--group G]...)
 *   rbac-gate check-config FILE | rbac-gate migrate [-f FILE]... [-n NAMESPACE | -A] [--diff]
 *
 * Without --config (or RBAC_GATE_CONFIG) the shipped demo configuration is served: user "demo", password "demo",
 * host "localhost". Exit codes: 0 after a clean shutdown, 1 when the configuration or a source is refused at
 * start (every problem printed, one per line) or shutdown timed out, 2 for bad arguments. SIGHUP reads the
 * configuration file again (as a change of the file does); SIGTERM and SIGINT shut down gracefully.
 */
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Config } from "./config/config.js";
import { loadConfigInThread, parseConfigInThread } from "./config/load-in-thread.js";
import { type HealthListener, startHealthListener } from "./health/health-listener.js";
import { createAuthServer } from "./http/server-options.js";
import { createTlsServer, TlsFilesError } from "./http/tls.js";
import { createLogger, flushThenExit, textDestination } from "./log.js";
import { UNSCRAPED } from "./metrics/unscraped.js";
import { VERSION } from "./version.js";
import { Reloader } from "./wiring/reloader.js";
import { buildService } from "./wiring/service.js";
import { StartupError } from "./wiring/startup-error.js";

const DEMO_CONFIG = fileURLToPath(new URL("../examples/local/config.yaml", import.meta.url));
const LOG_LEVELS: ReadonlyArray<Config["logLevel"]> = ["debug", "info", "warn", "error"];
const USAGE = `usage: rbac-gate [--config FILE] [--address ADDR] [--port N] [--log-level LEVEL] [--log-format json|text]
       rbac-gate check-config FILE
       rbac-gate explain --help
       rbac-gate migrate --help
       rbac-gate --version

Serves ingress-nginx auth-url (/auth?host=$host), Traefik ForwardAuth (/forward-auth) and Envoy ext_authz
(/ext-authz). Without --config (or RBAC_GATE_CONFIG) it serves the demo configuration: user "demo", password
"demo", host "localhost". --port defaults to PORT, then to the configuration's listen.port; --log-level (debug,
info, warn, error) to RBAC_GATE_LOG_LEVEL, then to the configuration's logLevel; --log-format to
RBAC_GATE_LOG_FORMAT, then json (text is for a terminal). check-config validates a configuration file and exits 0
or 1 with every problem.`;

function refuse(code: number, lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`rbac-gate: ${line}\n`);
  process.exit(code);
}

async function serve(argv: string[]): Promise<void> {
  let args: {
    config?: string;
    address?: string;
    port?: string;
    "log-level"?: string;
    "log-format"?: string;
    help?: boolean;
    version?: boolean;
  };
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        address: { type: "string" },
        port: { type: "string" },
        "log-level": { type: "string" },
        "log-format": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    }).values;
  } catch (error) {
    refuse(2, [(error as Error).message, USAGE]);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (args.version) {
    process.stdout.write(`rbac-gate ${VERSION}\n`);
    process.exit(0);
  }
  const configPath = args.config ?? process.env.RBAC_GATE_CONFIG ?? DEMO_CONFIG;
  const loaded = await loadConfigInThread(configPath);
  if (!loaded.ok) refuse(1, [`configuration ${configPath} refused:`, ...loaded.error]);

  const portText = args.port ?? process.env.PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    refuse(2, [`--port has "${portText}": it must be 0-65535`]);
  }
  const logFormat = args["log-format"] ?? process.env.RBAC_GATE_LOG_FORMAT ?? "json";
  if (logFormat !== "json" && logFormat !== "text") {
    refuse(2, [`--log-format has "${logFormat}": it must be json or text`]);
  }
  const logLevel = args["log-level"] ?? process.env.RBAC_GATE_LOG_LEVEL;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as Config["logLevel"])) {
    refuse(2, [`--log-level has "${logLevel}": it must be one of ${LOG_LEVELS.join(", ")}`]);
  }
  // Command-line and environment overrides win over the file, at start and at every reload.
  const override = (c: Config): Config => ({
    ...c,
    logLevel: (logLevel as Config["logLevel"] | undefined) ?? c.logLevel,
    listen: { ...c.listen, address: args.address ?? c.listen.address, port: port ?? c.listen.port },
  });
  const config = override(loaded.value);

  const logger = createLogger(config.logLevel, logFormat === "text" ? textDestination() : undefined);
  // prom-client is loaded only when something can scrape it.
  const scraped = config.metrics ? (await import("./metrics/metrics.js")).createMetrics() : undefined;
  const metrics = scraped ?? UNSCRAPED;
  const build = (c: Config) => buildService(c, logger, { metrics });
  let service: Awaited<ReturnType<typeof build>>;
  try {
    service = await build(config);
  } catch (error) {
    if (error instanceof StartupError) refuse(1, error.problems);
    throw error;
  }

  const parse = parseConfigInThread;
  const reloader = new Reloader({ path: configPath, logger, metrics, override, build, parse }, service, config);
  await reloader.start();
  let tls: ReturnType<typeof createTlsServer> | undefined;
  try {
    tls = config.listen.tls ? createTlsServer(config.listen.tls, reloader.handle, logger) : undefined;
  } catch (error) {
    if (error instanceof TlsFilesError) refuse(1, [error.message]);
    throw error;
  }
  // Probes first: once /auth listens, they answer.
  let health: HealthListener | undefined;
  if (config.health) {
    const { address, port: healthPort, staleAfterMs } = config.health;
    health = await startHealthListener({
      address,
      port: healthPort,
      staleAfterMs,
      ready: () => reloader.current.ready(),
      // Probes would fail for good: end loudly (the kubelet restarts the pod) rather than be killed without a word.
      onFailure: (reason) => fail("the health listener stopped")(new Error(reason)),
    }).catch((error: Error) => refuse(1, [`cannot serve health probes on ${address}:${healthPort}: ${error.message}`]));
    logger.info({ address: `${address}:${health.port}`, staleAfterMs }, "health probes listening");
  }
  const server: Server = tls?.server ?? createAuthServer(reloader.handle);
  server.keepAliveTimeout = 65_000;
  // ingress-nginx opens a new connection per auth subrequest: a burst of requests is a burst of connects. Node's
  // default backlog (511) overflows under a flood, and a dropped SYN costs the next client 1 s or more (its
  // retransmission), whoever it is; the kernel caps this at net.core.somaxconn (4096 by default since Linux 5.4).
  server.listen({ port: config.listen.port, host: config.listen.address, backlog: 4096 });
  server.on("listening", () => {
    const address = server.address();
    const bound = typeof address === "object" && address ? `${address.address}:${address.port}` : String(address);
    logger.info(
      { address: bound, tls: tls !== undefined, config: configPath, version: VERSION },
      "rbac-gate listening",
    );
  });
  const fail = (what: string) => (error: Error) => {
    logger.error({ err: error.message }, what);
    flushThenExit(logger, 1);
  };
  server.on("error", fail("cannot listen"));

  const grpc = await (config.grpc ? await import("./grpc/server.js") : undefined)
    ?.startGrpcListener({ ...config, check: () => reloader.current.check, logger })
    .catch(fail("cannot serve gRPC"));
  const metricsServer = scraped && (await import("./metrics/server.js")).createMetricsServer(scraped);
  if (config.metrics && metricsServer) {
    const { address, port: metricsPort } = config.metrics;
    metricsServer.listen(metricsPort, address, () => {
      logger.info({ address: `${address}:${metricsPort}` }, "metrics listening");
    });
    metricsServer.on("error", fail("cannot serve metrics"));
  }

  // SIGTERM: readiness fails at once, the listener stops accepting, requests already accepted are answered, idle
  // keep-alive connections are closed, then the process exits 0. Past shutdownTimeout it exits 1 regardless.
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    reloader.stop();
    for (const w of tls?.watches ?? []) w.close();
    reloader.current.drain();
    health?.drain();
    metricsServer?.close();
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, "requests still running at the shutdown timeout");
      flushThenExit(logger, 1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    server.close(() => {
      void Promise.all([reloader.current.close(), health?.close(), grpc?.close()]).finally(() => {
        logger.info("shut down");
        flushThenExit(logger, 0);
      });
    });
    server.closeIdleConnections();
  };
  // SIGHUP, the daemon convention: read the configuration file again now (a refused file keeps the running state).
  process.on("SIGHUP", () => {
    logger.info({ signal: "SIGHUP", config: configPath }, "reading the configuration again");
    void reloader.reload();
  });
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

/** `rbac-gate check-config FILE`: the configuration's problems, all of them, without starting anything. */
async function checkConfig(argv: string[]): Promise<void> {
  const [file, ...extra] = argv;
  if (file === "--help" || file === "-h") {
    process.stdout.write("usage: rbac-gate check-config FILE\n");
    process.exit(0);
  }
  if (file === undefined || extra.length > 0) refuse(2, ["usage: rbac-gate check-config FILE"]);
  const loaded = await (await import("./config/load.js")).loadConfigFile(file);
  if (!loaded.ok) refuse(1, [`configuration ${file} refused:`, ...loaded.error]);
  process.stdout.write(`configuration ${file} is valid\n`);
  process.exit(0);
}

const [command, ...rest] = process.argv.slice(2);
if (command === "check-config") {
  void checkConfig(rest);
} else if (command === "explain") {
  import("./wiring/explain.js")
    .then(({ explain }) => explain(rest, process.env))
    .then(
      (code) => process.exit(code),
      (error: Error) => refuse(1, [error.message]),
    );
} else if (command === "migrate") {
  import("./migrate/command.js")
    .then(({ migrate }) =>
      migrate(
        rest,
        (text) => process.stdout.write(text),
        (text) => process.stderr.write(text),
      ),
    )
    .then(
      (code) => process.exit(code),
      (error: Error) => refuse(1, [error.message]),
    );
} else {
  void serve(process.argv.slice(2));
}
