/**
 * Differential test with real Caddy as the oracle, in both versions: sites whose `handle` blocks send /admin
 * to an admin backend in Caddy's three path-matcher forms (string prefix `/admin*`, element prefix `/admin/*` +
 * `/admin`, exact `/admin`), and one mixing them in the orders Caddy 2.6 sorts otherwise than later versions, each
 * protected by forward_auth to rbac-gate's /caddy, with configured routes that mirror them as docs/caddy.md says
 * (ImplementationSpecific, Prefix, Exact). alice may use everything the app serves; root only the admin backend. Random and hostile paths (case variants, encoded letters, trailing dots and spaces, `;`, dot
 * segments, string-prefix neighbours, non-ASCII capitals) go through each site as alice, and through a twin site
 * without forward_auth that shows which backend Caddy's own routing picks. Whatever Caddy routes to the admin
 * backend, alice never gets a 200 from it. Seeded and reproducible: RBAC_GATE_DIFF_SEED=<n> repeats a run.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizePath } from "../../src/request/normalize.js";
import { type SeededRandom, seededRandom } from "../support/seeded-random.js";
import { CADDY_VERSIONS, type Caddy, type CaddyVersion, type Echo, startCaddy, startEcho } from "./support/caddy.js";
import { freePort } from "./support/ports.js";
import { stopAll } from "./support/processes.js";
import { exchangeRaw } from "./support/raw-http.js";
import { type RunningGate, startRbacGate } from "./support/rbac-gate.js";

const SEED = Number(process.env.RBAC_GATE_DIFF_SEED ?? 20261130);
const PATHS_PER_SITE = 160;
const VERSIONS = Object.keys(CADDY_VERSIONS) as CaddyVersion[];

type Backend = "admin" | "app";
interface Site {
  readonly host: string;
  /** The Caddyfile's handles besides the bare `handle` (which goes to the app), and their backends. */
  readonly handles: ReadonlyArray<readonly [string, Backend]>;
  /** The configured routes that mirror them (docs/caddy.md), each for the user of its backend. */
  readonly routes: ReadonlyArray<readonly [string, string, Backend]>;
  /** The least number of paths of a run Caddy should route to the admin backend. */
  readonly minAdmin: number;
}

const SITES: readonly Site[] = [
  {
    host: "prefix.caddy.test",
    handles: [["/admin*", "admin"]],
    routes: [["/admin", "ImplementationSpecific", "admin"]],
    minAdmin: 10,
  },
  {
    host: "element.caddy.test",
    handles: [
      ["/admin/*", "admin"],
      ["/admin", "admin"],
    ],
    routes: [["/admin", "Prefix", "admin"]],
    minAdmin: 10,
  },
  { host: "exact.caddy.test", handles: [["/admin", "admin"]], routes: [["/admin", "Exact", "admin"]], minAdmin: 3 },
  // Forms whose order Caddy 2.6 sorts otherwise than later versions: an exact path beside a wildcard pattern that
  // is as long or longer, each written first.
  {
    host: "mixed.caddy.test",
    handles: [
      ["/admin", "app"],
      ["/admin*", "admin"],
      ["/ab/*", "admin"],
      ["/ab", "admin"],
      ["/ab/x", "app"],
    ],
    routes: [
      ["/admin", "Exact", "app"],
      ["/admin", "ImplementationSpecific", "admin"],
      ["/ab/x", "Exact", "app"],
      ["/ab", "Prefix", "admin"],
    ],
    minAdmin: 10,
  },
];

const SEGMENTS = [
  "admin",
  "ADMIN",
  "Admin",
  "aDmIn",
  "%41dmin",
  "%61dmin",
  "adm%49n",
  "admin.",
  "admin..",
  "admin%20",
  "admin%20.",
  "admin.%20",
  "ADMIN.",
  "admin;x=1",
  "Admin;jsessionid=1",
  "administrator",
  "admin-tools",
  "admin.php",
  "adm",
  "ab",
  "AB",
  "ab.",
  "public",
  "Public",
  "x",
  "panel",
  "..",
  ".",
  "",
  "%2e",
  "%2e%2e",
  "%E2%84%AAey", // KELVIN SIGN, which lower-cases to ASCII "k"
  "%C3%9Cber",
  "%C4%B0nfo", // İ
];

function target(r: SeededRandom): string {
  const parts = Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => r.pick(SEGMENTS));
  return `/${parts.join("/")}${r.next() < 0.25 ? "/" : ""}${r.next() < 0.15 ? "?q=/admin" : ""}`;
}

/** The Caddyfile: each site protected, and its twin (oracle.<host>) with the same handles and no forward_auth. */
function caddyfile(port: number, gate: string, admin: Echo, app: Echo): string {
  const address = { admin: admin.address, app: app.address };
  const handles = (site: Site) =>
    site.handles.map(([h, to]) => `\thandle ${h} {\n\t\treverse_proxy ${address[to]}\n\t}\n`).join("") +
    `\thandle {\n\t\treverse_proxy ${app.address}\n\t}\n`;
  const auth = `\tforward_auth ${gate} {\n\t\turi /caddy\n\t\theader_up X-Forwarded-Host {host}\n\t\tcopy_headers X-Auth-Request-User\n\t}\n`;
  return SITES.map(
    (site) =>
      `http://${site.host}:${port} {\n${auth}${handles(site)}}\n` +
      `http://oracle.${site.host}:${port} {\n${handles(site)}}\n`,
  ).join("\n");
}

let gate: RunningGate;
let admin: Echo;
let app: Echo;
const caddies = new Map<CaddyVersion, Caddy>();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-caddy-diff-"));
  const users = ["alice", "root"].map((u) =>
    execFileSync("htpasswd", ["-nbB", "-C", "5", u, `${u}-pw`], { encoding: "utf8" }).trim(),
  );
  writeFileSync(join(dir, "users"), `${users.join("\n")}\n`);
  const userOf = { admin: "root", app: "alice" };
  const routes = SITES.flatMap((site) => [
    ...site.routes.map(
      ([path, pathType, to]) =>
        `  - {host: ${site.host}, path: ${path}, pathType: ${pathType}, htpasswd: users, allow: {users: [${userOf[to]}]}}`,
    ),
    `  - {host: ${site.host}, path: /, htpasswd: users, allow: {users: [alice]}}`,
  ]);
  writeFileSync(
    join(dir, "config.yaml"),
    "htpasswd:\n  files: [{name: users, path: users}]\n" + `routes:\n${routes.join("\n")}\n`,
  );
  gate = await startRbacGate(["--config", join(dir, "config.yaml")]);
  admin = await startEcho("admin");
  app = await startEcho("app");
  for (const version of VERSIONS) {
    const port = await freePort();
    caddies.set(version, await startCaddy(version, port, caddyfile(port, gate.address, admin, app)));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([admin?.close(), app?.close()]);
  await stopAll();
});

const basic = (user: string) => `Basic ${Buffer.from(`${user}:${user}-pw`).toString("base64")}`;

/** One request through Caddy as raw bytes; which backend answered (from the echo's header), and the status. */
async function ask(version: CaddyVersion, host: string, path: string, user?: string) {
  const auth = user ? `Authorization: ${basic(user)}\r\n` : "";
  const reply = await exchangeRaw(
    (caddies.get(version) as Caddy).port,
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}Connection: close\r\n\r\n`,
  );
  const backend = /\r\nx-backend: (\w+)/i.exec(reply.head)?.[1];
  return { status: reply.status, backend };
}

describe.each(VERSIONS)("Caddy's own routing vs rbac-gate's decision, through %s", (version) => {
  it.each(SITES)(
    "$host: alice never gets a 200 from the admin backend, whatever path Caddy routes there",
    async (site) => {
      const r = seededRandom(SEED + site.host.length);
      const counts = { adminRouted: 0, adminRoutedHostile: 0, adminRefused: 0, appRouted: 0, appAllowed: 0 };
      const violations: string[] = [];
      for (let i = 0; i < PATHS_PER_SITE; i++) {
        const path = target(r);
        const oracle = await ask(version, `oracle.${site.host}`, path);
        const asAlice = await ask(version, site.host, path, "alice");
        if (asAlice.status === 200 && asAlice.backend === "admin") violations.push(path);
        if (asAlice.status === 200 && asAlice.backend !== oracle.backend && oracle.status === 200)
          violations.push(`${path} (served by ${asAlice.backend}, Caddy's routing says ${oracle.backend})`);
        if (oracle.backend === "admin") {
          counts.adminRouted++;
          const normalized = normalizePath(path);
          // Paths the nginx-style reading would not put under /admin: only Caddy's own semantics route them there.
          if (!normalized.ok || !/^\/admin(\/|$)/.test(normalized.value)) counts.adminRoutedHostile++;
          if (asAlice.status === 403) counts.adminRefused++;
        } else if (oracle.backend === "app") {
          counts.appRouted++;
          if (asAlice.status === 200) counts.appAllowed++;
        }
      }
      console.log(`caddy differential ${version} ${site.host} seed=${SEED}: ${JSON.stringify(counts)}`);
      expect(violations, `seed ${SEED}`).toEqual([]);
      // Not vacuous: Caddy routed hostile spellings to the admin backend, and alice still reached the app.
      expect(counts.adminRouted).toBeGreaterThan(site.minAdmin);
      expect(counts.appAllowed).toBeGreaterThan(counts.appRouted / 4);
      if (site.minAdmin > 3) expect(counts.adminRoutedHostile).toBeGreaterThan(5);
    },
    120_000,
  );

  it("root reaches the admin backend on /admin/panel and any spelling Caddy folds onto it", async () => {
    for (const host of ["prefix.caddy.test", "element.caddy.test"]) {
      for (const path of ["/admin/panel", "/ADMIN/panel", "/%41dmin/panel"]) {
        expect(await ask(version, host, path, "root")).toEqual({ status: 200, backend: "admin" });
      }
    }
  });

  it("refuses for everyone a path Caddy 2.6 and later versions route differently: /admin. on an exact /admin", async () => {
    for (const user of ["alice", "root"]) {
      const reply = await ask(version, "exact.caddy.test", "/admin.", user);
      expect(reply).toEqual({ status: 403, backend: undefined });
    }
    const log = await gate.waitForLog((line) => line.code === "ambiguous_path" && line.path === "/admin.");
    expect(log.reason).toMatch(/\/admin\. .* \/admin /);
  });
});
