import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HtpasswdFiles } from "../../src/sources/htpasswd-files.js";
import { memoryLogger } from "../support/service.js";

const A = "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n";
const B = "bob:$apr1$4NQ71nsX$3/hSGNQK4EtPoCuVslWph1\n";

const until = async (condition: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
};

let opened: HtpasswdFiles | undefined;
afterEach(() => opened?.close());

async function open(path: string, pollIntervalMs = 100) {
  const { logger, lines } = memoryLogger();
  const { store, problems } = await HtpasswdFiles.open([{ name: "team", path, usernamePrefix: "", groups: [] }], {
    allowWeakSchemes: true,
    logger,
    pollIntervalMs,
  });
  opened = store;
  store.watch();
  return { store, problems, lines };
}

describe("htpasswd files", () => {
  it("refuses at start a file that cannot be read", async () => {
    const { problems } = await open("/nonexistent/users.htpasswd");
    expect(problems).toEqual(['htpasswd file "team" (/nonexistent/users.htpasswd) cannot be read: no such file']);
  });

  it("picks up a rewritten file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "htpasswd-"));
    const path = join(dir, "users");
    writeFileSync(path, A);
    const { store } = await open(path, 60_000);
    expect([...(store.lookup("team")?.users.keys() ?? [])]).toEqual(["alice"]);
    writeFileSync(path, B);
    await until(() => store.lookup("team")?.users.has("bob") === true);
    expect(store.lookup("team")?.users.has("alice")).toBe(false);
  });

  it("follows the symlink swap of a mounted Secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "htpasswd-"));
    writeFileSync(join(dir, "v1"), A);
    writeFileSync(join(dir, "v2"), B);
    symlinkSync(join(dir, "v1"), join(dir, "..data"));
    symlinkSync(join(dir, "..data"), join(dir, "auth"));
    const { store } = await open(join(dir, "auth"), 60_000);
    expect(store.lookup("team")?.users.has("alice")).toBe(true);
    symlinkSync(join(dir, "v2"), join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    await until(() => store.lookup("team")?.users.has("bob") === true);
  });

  it("keeps the last good users when a reload fails, and says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "htpasswd-"));
    const path = join(dir, "users");
    writeFileSync(path, A);
    const { store, lines } = await open(path);
    rmSync(path);
    await until(() => lines().some((l) => l.msg === "htpasswd reload failed; keeping the last good users"));
    expect(store.lookup("team")?.users.has("alice")).toBe(true);
    writeFileSync(path, B);
    await until(() => store.lookup("team")?.users.has("bob") === true);
  });

  it("logs refused entries by user name and weak-scheme users, never hashes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "htpasswd-"));
    const path = join(dir, "users");
    writeFileSync(path, `${A}${B}carol:$y$j9T$abc$def\n`);
    const { store, lines } = await open(path);
    expect(store.lookup("team")?.users.size).toBe(2);
    const logged = lines();
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: "htpasswd entry refused",
        problem: 'line 3: user "carol" has a yescrypt ($y$) hash: not supported, re-create it with "htpasswd -B"',
      }),
    );
    expect(logged).toContainEqual(expect.objectContaining({ users: ["bob"] }));
    expect(JSON.stringify(logged)).not.toContain("$apr1$");
  });
});
