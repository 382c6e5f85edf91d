import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/load.js";
import { UNSCRAPED } from "../../src/metrics/unscraped.js";
import type { Result } from "../../src/vocabulary/result.js";
import { Reloader } from "../../src/wiring/reloader.js";
import type { Service } from "../../src/wiring/service.js";
import { memoryLogger } from "../support/service.js";

const CONFIG = (host: string) =>
  `htpasswd: {files: [{name: u, path: users}]}\nroutes: [{host: ${host}, htpasswd: u, allow: {authenticated: true}}]\n`;

/** A service that answers nothing and remembers the configuration it was built from. */
const fakeService = (config: Config): Service & { readonly config: Config } => ({
  config,
  app: () => undefined,
  check: async () => ({ status: 500, headers: [], body: "" }) as never,
  ready: () => true,
  drain: () => undefined,
  close: async () => undefined,
});

describe("Reloader", () => {
  it("refuses a change whose parse gives no answer, keeps the last good service, and parses the same text again at the next reload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-reloader-"));
    const path = join(dir, "config.yaml");
    // Made with: htpasswd -nbB -C 5 alice alice-pw
    writeFileSync(join(dir, "users"), "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n");
    writeFileSync(path, CONFIG("a.example.com"));
    const first = parseConfig(CONFIG("a.example.com"), dir);
    if (!first.ok) throw new Error(first.error.join("\n"));
    let failing = true;
    const parse = async (text: string, baseDir: string): Promise<Result<Config, readonly string[]>> => {
      if (failing) throw new Error("the configuration thread cannot start: EMFILE");
      return parseConfig(text, baseDir);
    };
    const { logger, lines } = memoryLogger();
    const deps = { path, logger, metrics: UNSCRAPED, override: (c: Config) => c, parse };
    const build = async (config: Config) => fakeService(config);
    const reloader = new Reloader({ ...deps, build }, fakeService(first.value), first.value);
    await reloader.start(60_000);

    writeFileSync(path, CONFIG("b.example.com"));
    await reloader.reload();
    expect((reloader.current as ReturnType<typeof fakeService>).config.routes[0]?.host).toBe("a.example.com");
    expect(lines().map((l) => l.problem)).toContain(
      "the configuration could not be parsed: the configuration thread cannot start: EMFILE",
    );

    // The same text again (a SIGHUP, say): no verdict was given on it, so it is parsed again and applies.
    failing = false;
    await reloader.reload();
    expect((reloader.current as ReturnType<typeof fakeService>).config.routes[0]?.host).toBe("b.example.com");
    reloader.stop();
  });
});
