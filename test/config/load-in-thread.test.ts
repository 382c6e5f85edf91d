import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig } from "../../src/config/load.js";
import { loadConfigInThread, parseConfigInThread } from "../../src/config/load-in-thread.js";

// Made with: htpasswd -nbB -C 5 alice alice-pw
const USERS = "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n";
const CONFIG = `htpasswd: {files: [{name: u, path: users}]}
routes:
  - {host: app.example.com, htpasswd: u, allow: {users: [alice]}}
  - {host: other.example.com, htpasswd: u, allow: {authenticated: true}}
`;

function folder(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-config-thread-"));
  writeFileSync(join(dir, "users"), USERS);
  writeFileSync(join(dir, "config.yaml"), config);
  return dir;
}

describe("the configuration read in a thread of its own", () => {
  it("gives what load.ts gives in-process, frozen again, its Set of users still a Set", async () => {
    const dir = folder(CONFIG);
    const inThread = await loadConfigInThread(join(dir, "config.yaml"));
    const inProcess = await loadConfigFile(join(dir, "config.yaml"));
    expect(inThread).toEqual(inProcess);
    if (!inThread.ok) throw new Error(inThread.error.join("\n"));
    const authorization = inThread.value.routes[0]?.authorization;
    expect(authorization?.kind === "users" && authorization.users).toEqual(new Set(["alice"]));
    expect(Object.isFrozen(inThread.value)).toBe(true);
    expect(Object.isFrozen(inThread.value.routes[0])).toBe(true);
  });

  it("refuses a broken configuration with every problem load.ts lists, and a file it cannot read", async () => {
    const broken = `${CONFIG}  - {host: "", htpasswd: nobody, allow: {users: []}}\nlogLevel: loud\n`;
    const dir = folder(broken);
    const inThread = await parseConfigInThread(broken, dir, "config.yaml");
    expect(inThread.ok).toBe(false);
    expect(inThread).toEqual(parseConfig(broken, dir, "config.yaml"));
    expect(!inThread.ok && inThread.error.length).toBeGreaterThanOrEqual(3);
    const missing = await loadConfigInThread(join(dir, "absent.yaml"));
    expect(!missing.ok && missing.error[0]).toMatch(/absent\.yaml cannot be read: no such file/);
  });
});
