/**
 * Holds the running service and replaces it when the configuration file changes. A change that does not load
 * (invalid YAML, any validation problem, an unreadable htpasswd file, a missing permission) is refused: every
 * problem is logged and the last good service keeps answering. Listen addresses are bound at start; a change to
 * them is reported as needing a restart and otherwise ignored.
 */

import { readFile } from "node:fs/promises";
import type { RequestListener } from "node:http";
import { dirname, resolve } from "node:path";
import type { Config } from "../config/config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";
import { type FileWatch, watchFile } from "../sources/file-watch.js";
import { fail, type Result } from "../vocabulary/result.js";
import type { Service } from "./service.js";
import { StartupError } from "./startup-error.js";

export interface ReloaderDeps {
  readonly path: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Applies command-line overrides to a loaded configuration. */
  readonly override: (config: Config) => Config;
  readonly build: (config: Config) => Promise<Service>;
  /**
   * Parses a text read from path (load.ts's parseConfig, or the same in a thread of its own). A rejection is no
   * verdict on the text: it is refused this time and tried again at the next reload.
   */
  readonly parse: (text: string, baseDir: string, fileName: string) => Promise<Result<Config, readonly string[]>>;
}

export class Reloader {
  private text: string | undefined;
  private watch: FileWatch | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ReloaderDeps,
    private service: Service,
    private config: Config,
  ) {}

  /** The request handler of whichever service is current. */
  readonly handle: RequestListener = (req, res) => this.service.app(req, res);

  get current(): Service {
    return this.service;
  }

  async start(pollIntervalMs?: number): Promise<void> {
    this.text = await readFile(this.deps.path, "utf8").catch(() => undefined);
    this.watch = watchFile(this.deps.path, () => void this.reload(), pollIntervalMs);
  }

  stop(): void {
    this.watch?.close();
  }

  /** Reloads one after another, so an older read never replaces a newer one. */
  reload(): Promise<void> {
    // A fault of one reload is refused and logged; it never leaves the queue rejected, which would skip every later one.
    this.queue = this.queue.then(() => this.apply()).catch((error: Error) => this.refuse([error.message]));
    return this.queue;
  }

  private async apply(): Promise<void> {
    const { logger, metrics } = this.deps;
    const text = await readFile(this.deps.path, "utf8").catch(() => undefined);
    if (text === undefined || text === this.text) return;
    const seen = this.text;
    this.text = text;
    // The text just read is what gets parsed: one read, and no second version of the file sneaking in between.
    const loaded = await this.deps
      .parse(text, dirname(resolve(this.deps.path)), this.deps.path)
      .catch((error: Error) => {
        // No verdict on this text (its thread failed, say): the next reload tries the same text again.
        this.text = seen;
        return fail([`the configuration could not be parsed: ${error.message}`]);
      });
    if (!loaded.ok) return this.refuse(loaded.error);
    const config = this.deps.override(loaded.value);
    if (JSON.stringify(config.listen) !== JSON.stringify(this.config.listen)) {
      logger.warn(
        { listen: config.listen },
        "listen changed in the configuration: it takes effect at the next restart",
      );
    }
    let next: Service;
    try {
      next = await this.deps.build({
        ...config,
        listen: this.config.listen,
        ...(this.config.metrics ? { metrics: this.config.metrics } : {}),
      });
    } catch (error) {
      return this.refuse(error instanceof StartupError ? error.problems : [String(error)]);
    }
    const previous = this.service;
    this.service = next;
    this.config = config;
    logger.level = config.logLevel;
    metrics.configReload("success");
    logger.info({ config: this.deps.path }, "configuration reloaded");
    await previous.close();
  }

  private refuse(problems: readonly string[]): void {
    this.deps.metrics.configReload("failure");
    for (const problem of problems) this.deps.logger.error({ problem }, "configuration change refused");
    this.deps.logger.error(
      { config: this.deps.path },
      "configuration change refused; the last good configuration stays",
    );
  }
}
