/**
 * Global setup of every test project: the run writes its temporary files under one folder of its own, removed when
 * the run ends, so tests leave nothing behind in the machine's shared temporary folder. Vitest starts its workers
 * after the global setups; they and every process they start inherit TMPDIR, which os.tmpdir() reads.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-run-"));
  // Traversable by nginx's and Caddy's worker users, which read files the tests write below it.
  chmodSync(dir, 0o755);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
