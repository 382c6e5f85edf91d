/**
 * nginx's own auth_basic as the oracle for password verification: for every vector (made by htpasswd, openssl
 * passwd and mkpasswd) and a set of near misses, rbac-gate's verification agrees with Debian's nginx reading the
 * same htpasswd file. Covers UTF-8 passwords for every scheme, and code units that truncate to another password.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHtpasswd } from "../../src/authn/htpasswd/parse.js";
import { verifyPassword } from "../../src/authn/htpasswd/verify.js";
import { readFixture } from "../support/fixtures.js";
import { basic, send } from "./support/http-client.js";
import { freePort } from "./support/ports.js";
import { start, stopAll, waitForHttp } from "./support/processes.js";

const VECTORS = readFixture("htpasswd/vectors.htpasswd");
const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
// The password of each vector: "pw-" + the user name unless listed (make-vectors.sh records the commands).
const PASSWORDS: Record<string, string> = {
  "utf8-bcrypt": "pässwörd-☃",
  "colon-apr1": "pw:with:colons",
  "utf8-apr1": "pässwörd",
  "utf8-md5": "pässwörd",
  "utf8-des": "päss",
  "colon2-apr1": "s3cr:et",
};

let port: number;
beforeAll(async () => {
  const prefix = mkdtempSync(join(tmpdir(), "rbac-gate-oracle-"));
  // nginx's workers read the user file and the page as an unprivileged user.
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, "logs"));
  mkdirSync(join(prefix, "www"));
  writeFileSync(join(prefix, "www", "index.html"), "ok");
  writeFileSync(join(prefix, "users.htpasswd"), VECTORS);
  port = await freePort();
  writeFileSync(
    join(prefix, "nginx.conf"),
    `worker_processes 1;
pid ${prefix}/nginx.pid;
events {}
http {
  access_log off;
  server {
    listen 127.0.0.1:${port};
    location = /ready { return 204; }
    location / {
      auth_basic "oracle";
      auth_basic_user_file ${prefix}/users.htpasswd;
      # A file, not "return": return would answer in the rewrite phase, before auth_basic runs.
      root ${prefix}/www;
    }
  }
}
`,
  );
  const nginx = start(NGINX, [
    "-p",
    `${prefix}/`,
    "-c",
    join(prefix, "nginx.conf"),
    "-e",
    join(prefix, "error.log"),
    "-g",
    "daemon off;",
  ]);
  await waitForHttp(`http://127.0.0.1:${port}/ready`, nginx);
});
afterAll(() => stopAll());

const parsed = parseHtpasswd(VECTORS, { allowWeakSchemes: true });
const cases = [...parsed.users.values()].flatMap((entry) => {
  const right = PASSWORDS[entry.username] ?? `pw-${entry.username}`;
  // Near misses: the same characters' low bytes, a Latin-1 reading of the UTF-8 bytes, a changed last character.
  const lowBytes = [...right].map((c) => String.fromCharCode(0x100 + c.charCodeAt(0))).join("");
  const latin1 = Buffer.from(right, "utf8").toString("latin1");
  return [right, lowBytes, latin1, `${right.slice(0, -1)}x`, "ųĳţŲĺťŴ"].map(
    (password) => [entry.username, password, entry] as const,
  );
});

describe("rbac-gate's password verification agrees with nginx's auth_basic", () => {
  it.each(cases)("%s with %j", async (user, password, entry) => {
    const nginx = await send(port, "/", { headers: { Authorization: basic(user, password) } });
    expect([200, 401]).toContain(nginx.status);
    expect(await verifyPassword(password, entry)).toBe(nginx.status === 200);
  });

  it("includes the cases the issue reproduced", () => {
    const has = (user: string, password: string) => cases.some(([u, p]) => u === user && p === password);
    expect(has("colon2-apr1", "ųĳţŲĺťŴ") && has("utf8-apr1", "pässwörd") && has("utf8-md5", "pässwörd")).toBe(true);
    expect(has("utf8-des", "päss")).toBe(true);
  });
});
