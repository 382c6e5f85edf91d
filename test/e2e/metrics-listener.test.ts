/**
 * Metrics as the process keeps them: counted for a metrics listener, and not kept at all without one (nothing could
 * read them), so prom-client is not even loaded. The loaded modules are seen through a module hook preloaded with
 * --import, which writes every resolved URL to a file when the process exits.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { basic, send } from "./support/http-client.js";
import { freePort } from "./support/ports.js";
import { stopAll } from "./support/processes.js";
import { startRbacGate } from "./support/rbac-gate.js";

afterAll(stopAll);

const HOOK = `import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const resolved = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r; } });
process.on("exit", () => writeFileSync(process.env.RESOLVED_LIST, resolved.join("\\n")));
`;

/** Starts rbac-gate with the demo users, asks once as demo, stops it; returns its metrics text (if any) and modules. */
async function runOnce(metricsPort?: number): Promise<{ metrics?: string; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-metrics-"));
  writeFileSync(join(dir, "hook.mjs"), HOOK);
  writeFileSync(
    join(dir, "config.yaml"),
    `${metricsPort === undefined ? "" : `metrics: {port: ${metricsPort}}\n`}htpasswd: {files: [{name: u, path: ${join(process.cwd(), "examples/local/htpasswd")}}]}\nroutes: [{host: localhost, htpasswd: u, allow: {authenticated: true}}]\n`,
  );
  const list = join(dir, "resolved.txt");
  const gate = await startRbacGate(["--config", join(dir, "config.yaml")], {
    NODE_OPTIONS: `--import ${join(dir, "hook.mjs")}`,
    RESOLVED_LIST: list,
  });
  const headers = {
    "X-Original-URL": "http://localhost/x",
    "X-Original-Method": "GET",
    Authorization: basic("demo", "demo"),
  };
  expect((await send(gate.port, "/auth?host=localhost", { headers })).status).toBe(200);
  const metrics =
    metricsPort === undefined ? undefined : await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  await gate.process.stop();
  return { metrics, modules: readFileSync(list, "utf8").split("\n") };
}

const loads = (modules: string[], name: string) => modules.some((url) => url.includes(`/node_modules/${name}/`));

describe("As a platform admin watching rbac-gate", () => {
  it("with a metrics listener, every decision is counted and served", async () => {
    const { metrics, modules } = await runOnce(await freePort());
    expect(loads(modules, "prom-client")).toBe(true);
    expect(metrics).toMatch(/^rbac_gate_decisions_total\{dialect="ingress-nginx",result="allow",code="allowed"\} 1$/m);
  });

  it("without one, nothing is kept and prom-client is never loaded", async () => {
    const { modules } = await runOnce();
    expect(loads(modules, "pino")).toBe(true); // the hook saw the process's modules
    expect(loads(modules, "prom-client")).toBe(false);
  });
});
