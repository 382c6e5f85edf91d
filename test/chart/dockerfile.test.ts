/**
 * The Dockerfile stays honest without a Docker engine: its own instructions are carried out (production install,
 * build, copy between stages), and the built service starts from the final stage's files as the numeric non-root
 * user, with a read-only root and only production dependencies.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, send } from "../e2e/support/http-client.js";
import { freePort } from "../e2e/support/ports.js";
import { waitForHttp } from "../e2e/support/processes.js";
import { build, contextFiles, type Stage } from "./dockerfile.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
let stages: Stage[];
let final: Stage;

beforeAll(() => {
  const workspace = mkdtempSync(join(tmpdir(), "rbac-gate-image-"));
  chmodSync(workspace, 0o755); // the image's user must reach the stage folders
  stages = build(dockerfile, ROOT, workspace);
  final = stages.at(-1) as Stage;
}, 600_000);

describe("Dockerfile", () => {
  it("pins every base image to the Node.js major the tests run on", () => {
    const pinned = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies.node as string;
    for (const stage of stages) expect(stage.base).toBe(`node:${pinned}-bookworm-slim`);
    expect(process.versions.node).toBe(pinned);
  });

  it("compiles once on the build machine's platform and installs production dependencies per target platform", () => {
    // A multi-platform release build would otherwise run the compiler and the development install under emulation.
    const byName = new Map(stages.map((s) => [s.name, s]));
    expect(byName.get("build")?.platform).toBe("$BUILDPLATFORM");
    expect(byName.get("production-dependencies")?.platform).toBeUndefined();
    expect(final.platform).toBeUndefined();
  });

  it("sends only what the build needs as context", () => {
    const files = contextFiles(ROOT);
    expect(files).toContain("package-lock.json");
    expect(files).toContain("src/main.ts");
    expect(files.some((f) => f.startsWith("test/") || f.startsWith(".git") || f.startsWith("charts/"))).toBe(false);
  });

  it("ships production dependencies only", () => {
    const modules = join(final.root, "app/node_modules");
    expect(existsSync(join(modules, "express"))).toBe(true);
    expect(existsSync(join(modules, "bcrypt"))).toBe(true);
    for (const dev of ["typescript", "vitest", "node", "@biomejs", "tsx"])
      expect(existsSync(join(modules, dev))).toBe(false);
    expect(existsSync(join(final.root, "app/src"))).toBe(false);
  });

  it("runs as a numeric non-root user and carries OCI labels", () => {
    expect(final.user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    expect(final.labels["org.opencontainers.image.title"]).toBe("rbac-gate");
    expect(final.labels["org.opencontainers.image.licenses"]).toBe("Apache-2.0");
  });

  describe("the built service", () => {
    let port: number;
    let child: ReturnType<typeof spawn>;
    beforeAll(async () => {
      // Read-only root: nothing of the image may be written; the process runs as the image's user.
      const app = join(final.root, "app");
      chmodSync(final.root, 0o555);
      const configDir = mkdtempSync(join(tmpdir(), "rbac-gate-image-config-"));
      writeFileSync(
        join(configDir, "config.yaml"),
        readFileSync(join(ROOT, "examples/local/config.yaml"), "utf8").replace(
          "path: htpasswd",
          `path: ${join(ROOT, "examples/local/htpasswd")}`,
        ),
      );
      chmodSync(configDir, 0o755);
      port = await freePort();
      const [uid, gid] = (final.user as string).split(":").map(Number);
      const [command, ...args] = [
        ...(final.entrypoint ?? []),
        "--config",
        join(configDir, "config.yaml"),
        "--port",
        String(port),
      ];
      child = spawn(command === "node" ? process.execPath : (command as string), args, {
        cwd: app,
        uid: uid as number,
        gid: gid as number,
        env: { ...final.env, PATH: process.env.PATH ?? "" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      await waitForHttp(`http://127.0.0.1:${port}/healthz`).catch((error: Error) => {
        throw new Error(`${error.message}\n${stderr}`);
      });
    }, 60_000);
    afterAll(() => {
      child?.kill("SIGTERM");
    });

    it("starts from the final stage's files and answers /auth", async () => {
      const headers = { "X-Original-URL": "http://localhost/x", "X-Original-Method": "GET" };
      expect(
        (await send(port, "/auth?host=localhost", { headers: { ...headers, Authorization: basic("demo", "demo") } }))
          .status,
      ).toBe(200);
      expect((await send(port, "/auth?host=localhost", { headers })).status).toBe(401);
    });
  });
});
