import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type HealthListener, startHealthListener } from "../../src/health/health-listener.js";
import { probeAnswer } from "../../src/health/probe-worker.js";

const ms = (n: number) => BigInt(n) * 1_000_000n;

describe("probeAnswer", () => {
  it("is alive while the main loop beats, and 503 once it has been silent past staleAfter", () => {
    expect(probeAnswer("/healthz", { sinceBeatNs: ms(4_999), ready: false }, 5_000).status).toBe(200);
    expect(probeAnswer("/healthz", { sinceBeatNs: ms(5_001), ready: true }, 5_000)).toEqual({
      status: 503,
      body: "event loop stalled\n",
    });
  });

  it("is ready only when the main loop beats and the service says so", () => {
    expect(probeAnswer("/readyz", { sinceBeatNs: 0n, ready: true }, 5_000).status).toBe(200);
    expect(probeAnswer("/readyz", { sinceBeatNs: 0n, ready: false }, 5_000)).toEqual({
      status: 503,
      body: "not ready\n",
    });
    expect(probeAnswer("/readyz", { sinceBeatNs: ms(6_000), ready: true }, 5_000).status).toBe(503);
  });

  it("knows no other path", () => {
    expect(probeAnswer("/auth", { sinceBeatNs: 0n, ready: true }, 5_000).status).toBe(404);
  });
});

/**
 * Asks the probe from another process while this thread's event loop is blocked for `blockMs`: the answers, and
 * whether each arrived before the block ended (the child stamps each answer with its wall clock).
 */
async function probeWhileBlocked(port: number, path: string, askAfterMs: number, blockMs: number) {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `setTimeout(async () => {
        const r = await fetch("http://127.0.0.1:${port}${path}");
        console.log(JSON.stringify({ status: r.status, body: await r.text(), at: Date.now() }));
      }, ${askAfterMs});`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  const end = Date.now() + blockMs;
  while (Date.now() < end) {
    // Blocked: no timer, no I/O, no beat runs on this thread.
  }
  const unblockedAt = Date.now();
  await new Promise((resolve) => child.once("exit", resolve));
  const answer = JSON.parse(out) as { status: number; body: string; at: number };
  return { ...answer, beforeUnblock: answer.at < unblockedAt };
}

describe("the health listener", () => {
  let listener: HealthListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it("answers /healthz while the main event loop is blocked", async () => {
    listener = await startHealthListener({ address: "127.0.0.1", port: 0, staleAfterMs: 5_000, ready: () => true });
    const answer = await probeWhileBlocked(listener.port, "/healthz", 400, 2_500);
    expect(answer).toMatchObject({ status: 200, body: "ok\n", beforeUnblock: true });
  });

  it("fails both probes when the main loop has not beaten for staleAfter, and recovers when it beats again", async () => {
    listener = await startHealthListener({ address: "127.0.0.1", port: 0, staleAfterMs: 300, ready: () => true });
    const stalled = await probeWhileBlocked(listener.port, "/readyz", 1_000, 2_500);
    expect(stalled).toMatchObject({ status: 503, body: "event loop stalled\n", beforeUnblock: true });
    await new Promise((r) => setTimeout(r, 250));
    expect((await fetch(`http://127.0.0.1:${listener.port}/healthz`)).status).toBe(200);
  });

  it("follows the service's readiness, and fails readiness from drain on", async () => {
    let ready = false;
    listener = await startHealthListener({ address: "127.0.0.1", port: 0, staleAfterMs: 5_000, ready: () => ready });
    const readyz = async () => (await fetch(`http://127.0.0.1:${listener?.port}/readyz`)).status;
    expect(await readyz()).toBe(503);
    ready = true;
    await new Promise((r) => setTimeout(r, 250));
    expect(await readyz()).toBe(200);
    listener.drain();
    expect(await readyz()).toBe(503);
    expect((await fetch(`http://127.0.0.1:${listener.port}/healthz`)).status).toBe(200);
  });

  it("refuses to start on a port that is taken, saying why", async () => {
    listener = await startHealthListener({ address: "127.0.0.1", port: 0, staleAfterMs: 5_000, ready: () => true });
    await expect(
      startHealthListener({ address: "127.0.0.1", port: listener.port, staleAfterMs: 5_000, ready: () => true }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("the health listener under connections that are not probes", () => {
  it("keeps answering probes while thousands of idle connections are held open against it", async () => {
    const listener = await startHealthListener({
      address: "127.0.0.1",
      port: 0,
      staleAfterMs: 5_000,
      ready: () => true,
    });
    // Another process holds 3,000 connections (each with a partial header) open, then asks /healthz itself.
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const net = require("node:net");
        const sockets = [];
        let open = 0;
        for (let i = 0; i < 3000; i++) {
          const s = net.connect(${listener.port}, "127.0.0.1", () => { open++; s.write("GET /healthz HTTP/1.1\\r\\nX-Pad: " + "a".repeat(900)); });
          s.on("error", () => {});
          sockets.push(s);
        }
        setTimeout(async () => {
          const statuses = [];
          for (let i = 0; i < 3; i++) {
            statuses.push(await fetch("http://127.0.0.1:${listener.port}/healthz").then((r) => r.status, () => 0));
            await new Promise((r) => setTimeout(r, 1200));
          }
          console.log(JSON.stringify(statuses));
          process.exit(0);
        }, 1500);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const statuses = JSON.parse(out) as number[];
    // Past its connection bound the server closes new connections: a probe may be refused while the flood holds the
    // slots, but the thread lives, and answers again once the held connections time out.
    expect((await fetch(`http://127.0.0.1:${listener.port}/healthz`)).status).toBe(200);
    expect(statuses).toHaveLength(3);
    expect(statuses.at(-1)).toBe(200);
    await listener.close();
  }, 20_000);

  it("does not report a deliberate close as a failure (shutdown must not end the process with an error)", async () => {
    const failures: string[] = [];
    const listener = await startHealthListener({
      address: "127.0.0.1",
      port: 0,
      staleAfterMs: 5_000,
      ready: () => true,
      onFailure: (reason) => failures.push(reason),
    });
    await listener.close();
    expect(failures).toEqual([]);
  });

  it("holds the process until its thread has ended, when nothing else would (the last log line at shutdown)", async () => {
    // In a process of its own: here the test runner keeps the event loop alive whatever the listener does.
    const module = new URL("../../src/health/health-listener.ts", import.meta.url).href;
    const script = join(mkdtempSync(join(tmpdir(), "rbac-gate-health-")), "close.mts");
    writeFileSync(
      script,
      `const { startHealthListener } = await import(${JSON.stringify(module)});
       const listener = await startHealthListener({ address: "127.0.0.1", port: 0, staleAfterMs: 5000, ready: () => true });
       listener.close().then(() => process.stdout.write("closed"));`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(out).toBe("closed");
    expect(code).toBe(0);
  }, 20_000);
});
