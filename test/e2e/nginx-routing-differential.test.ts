/**
 * Differential test with real nginx as the oracle: random sets of Ingresses (exact, wildcard and no-host rules,
 * all three pathTypes, overlapping paths, several namespaces, Ingresses of another class) are rendered into nginx
 * the way ingress-nginx renders them (support/ingress-nginx-render.ts); random and hostile request lines go
 * through that nginx; for every auth request nginx makes, rbac-gate's decision pipeline (the real dialect, route
 * table and gate, with an authenticator and authorizer that accept everyone) decides on exactly what nginx sent.
 * Wherever rbac-gate allows, the route it decided on must be the location nginx served. Where it refuses instead,
 * the kind of refusal is counted: docs/kubernetes.md lists them. Seeded and reproducible: RBAC_GATE_DIFF_SEED=<n>
 * repeats a run, and a failure prints its seed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGate, type DecisionRecord } from "../../src/decision/gate.js";
import { ingressNginx } from "../../src/request/dialects/ingress-nginx.js";
import { type IngressObject, ingressRouteTable } from "../../src/routing/ingress-routes.js";
import { matchRoute, type Route } from "../../src/routing/routes.js";
import { type SeededRandom, seededRandom } from "../support/seeded-random.js";
import { locationId, type PathType, type RenderedIngress, renderIngressNginx } from "./support/ingress-nginx-render.js";
import { freePort } from "./support/ports.js";
import { start, stopAll, waitForHttp } from "./support/processes.js";
import { exchangeRaw, type RawReply } from "./support/raw-http.js";

const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
const SEED = Number(process.env.RBAC_GATE_DIFF_SEED ?? 20261130);
const SCENARIOS = 12;
const REQUESTS = 400;

const HOSTS = ["a.example.test", "b.example.test", "*.w.example.test", undefined];
const PATHS = ["/", "/admin", "/admin/", "/api", "/api/v1", "/ap", "/adm", "/admin/x", "/docs"];
const SPECIFIC_ONLY = ["/admin.php", "/api.v1"];
const TYPES: readonly PathType[] = ["Exact", "Prefix", "ImplementationSpecific"];
const NAMESPACES = ["team-a", "team-b", "team-c"];

function ingresses(r: SeededRandom, scenario: number): RenderedIngress[] {
  const count = 3 + Math.floor(r.next() * 6);
  return Array.from({ length: count }, (_, i) => {
    const rules = Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => {
      const host = r.pick(HOSTS);
      const paths = Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => {
        const pathType = r.pick(TYPES);
        const path = pathType === "ImplementationSpecific" && r.chance(0.2) ? r.pick(SPECIFIC_ONLY) : r.pick(PATHS);
        // ImplementationSpecific "/" would duplicate the default "location /" in ingress-nginx's own rendering.
        return { path, pathType: path === "/" ? "Prefix" : pathType, service: `svc-${i}` } as const;
      });
      return { ...(host === undefined ? {} : { host }), paths };
    });
    // Canaries and use-regex (in the spellings Go's ParseBool accepts) change what nginx serves; both are
    // rarer than plain Ingresses. Timestamps within a few seconds, in both formats, so that ties happen.
    const annotations: Record<string, string> = {};
    if (r.chance(0.1)) {
      annotations["nginx.ingress.kubernetes.io/canary"] = r.pick(["true", "True", "1"]);
      annotations["nginx.ingress.kubernetes.io/canary-weight"] = "0";
    } else if (r.chance(0.06))
      annotations["nginx.ingress.kubernetes.io/use-regex"] = r.pick(["true", "True", "1", "t"]);
    const created = Date.UTC(2026, 0, 1, 0, 0, Math.floor(r.next() * 4));
    return {
      namespace: r.pick(NAMESPACES),
      name: `ing-${scenario}-${i}`,
      creationTimestamp: r.chance(0.5)
        ? new Date(created).toISOString()
        : new Date(created).toISOString().replace(".000Z", "Z"),
      ingressClassName: r.chance(0.15) ? "other" : "nginx",
      annotations,
      rules,
    };
  });
}

const SEGMENTS = [
  "admin",
  "api",
  "v1",
  "x",
  "docs",
  "ap",
  "adm",
  "..",
  ".",
  "",
  "%2e%2e",
  "%61dmin",
  "ADMIN",
  "admin;x=1",
  "admin.php",
  "api.v1",
  "admin%20",
  "%2F",
  "admin%3Bx",
  "admin..",
  "%41dmin",
];

function target(r: SeededRandom): string {
  const parts = Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => r.pick(SEGMENTS));
  return `/${parts.join("/")}${r.chance(0.3) ? "/" : ""}${r.chance(0.2) ? "?q=/admin" : ""}`;
}

/** One request as raw bytes (absolute-form targets and odd paths included); status and body of the answer. */
function exchange(port: number, requestLine: string, headers: Record<string, string>): Promise<RawReply> {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return exchangeRaw(port, `${requestLine}\r\n${head.join("")}Connection: close\r\n\r\n`);
}

/** The auth requests nginx made, by X-Request-ID; any other request is the echo backend naming its location. */
interface Recorder {
  readonly port: number;
  readonly seen: Map<string, { url: string; headers: IncomingHttpHeaders }>;
  readonly server: Server;
}

async function startRecorder(): Promise<Recorder> {
  const seen = new Map<string, { url: string; headers: IncomingHttpHeaders }>();
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/auth")) {
      seen.set(String(req.headers["x-request-id"]), { url: req.url, headers: req.headers });
      res.writeHead(200, { "Content-Length": "0" }).end();
      return;
    }
    const body = String(req.headers["x-location"] ?? "");
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body) }).end(body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { port, seen, server };
}

const toObject = (i: RenderedIngress): IngressObject => ({
  namespace: i.namespace,
  name: i.name,
  creationTimestamp: i.creationTimestamp,
  annotations: { ...i.annotations },
  ingressClassName: i.ingressClassName,
  rules: i.rules.map((rule) => ({ ...(rule.host === undefined ? {} : { host: rule.host }), paths: rule.paths })),
});

const routeId = (route: Route) => locationId(route.namespace ?? "", route.objectName ?? "", route.pathType, route.path);

interface Tally {
  compared: number;
  agreedAllowed: number;
  refusals: Map<string, number>;
  disagreements: string[];
  missing: string[];
}

let recorder: Recorder;
beforeAll(async () => {
  recorder = await startRecorder();
});
afterAll(async () => {
  await stopAll();
  recorder?.server.close();
});

describe("rbac-gate decides about the location real nginx serves (ingress-nginx rendering, random Ingress sets)", () => {
  const tally: Tally = { compared: 0, agreedAllowed: 0, refusals: new Map(), disagreements: [], missing: [] };

  it(`never allows a request on another route than the one nginx chose (seed ${SEED})`, async () => {
    const r = seededRandom(SEED);
    for (let scenario = 0; scenario < SCENARIOS; scenario++) {
      const listen = await freePort();
      let set: RenderedIngress[] = [];
      let rendered = renderIngressNginx([], { listen, auth: recorder.port, echo: recorder.port });
      // A set that renders two alike locations is one nginx would refuse: draw again.
      for (let tries = 0; tries < 50; tries++) {
        set = ingresses(r, scenario);
        rendered = renderIngressNginx(set, { listen, auth: recorder.port, echo: recorder.port });
        if (rendered.config) break;
      }
      expect(rendered.config).toBeDefined();
      const prefix = mkdtempSync(join(tmpdir(), "rbac-gate-diff-"));
      mkdirSync(join(prefix, "logs"));
      writeFileSync(join(prefix, "nginx.conf"), rendered.config as string);
      const nginx = start(NGINX, ["-p", `${prefix}/`, "-c", join(prefix, "nginx.conf"), "-g", "daemon off;"]);
      await waitForHttp(`http://127.0.0.1:${listen}/`, nginx);

      const { table } = ingressRouteTable(set.map(toObject), {
        className: "nginx",
        watchWithoutClass: false,
        hostOwnership: "oldest-namespace",
        defaults: { realm: "r", mapping: "host-path", audiences: [] },
      });
      const gate = createGate({
        dialect: ingressNginx,
        resolveRoute: ({ host, path }) => matchRoute(table, host, path),
        authenticators: [
          {
            kind: "bearer",
            authenticate: async () => ({ kind: "authenticated", user: { username: "u", groups: [] } }),
          },
        ],
        authorizer: { authorize: async () => ({ kind: "allow" }) },
      });

      const hosts = [...rendered.hosts, "unknown.example.test"];
      for (let i = 0; i < REQUESTS; i++) {
        const id = `${SEED}-${scenario}-${i}`;
        const path = target(r);
        const hostHeader = `${r.chance(0.15) ? r.pick(hosts).toUpperCase() : r.pick(hosts)}${r.chance(0.1) ? ":80" : ""}`;
        // An absolute-form request line names the server nginx uses, whatever the Host header says.
        const lineHost = r.chance(0.2) ? r.pick(hosts) : undefined;
        const requestLine = `${r.pick(["GET", "POST", "DELETE"])} ${lineHost ? `http://${lineHost}${path}` : path} HTTP/1.1`;
        const answer = await exchange(listen, requestLine, {
          Host: hostHeader,
          "X-Request-ID": id,
          Authorization: "Bearer t",
        });
        const asked = recorder.seen.get(id);
        if (!asked) continue; // nginx answered by itself (400, the default server's 404): nothing was decided.
        recorder.seen.delete(id);
        const served = answer.status === 200 ? answer.body : undefined;
        const record: DecisionRecord = await gate({
          header: (name) => {
            const v = asked.headers[name];
            return Array.isArray(v) ? v[0] : v;
          },
          authorization: ["Bearer t"],
          line: { method: "GET", target: asked.url },
        });
        tally.compared++;
        if (record.decision.kind === "allow") {
          const decided = record.route ? routeId(record.route) : "(none)";
          if (decided === served) tally.agreedAllowed++;
          else tally.disagreements.push(`${requestLine} Host: ${hostHeader} → nginx ${served}, rbac-gate ${decided}`);
        } else {
          const kind = record.decision.code;
          // "No route" is right only where nginx itself served no Ingress path: its default backend.
          if (kind === "no_route" && served !== undefined && !served.startsWith("default "))
            tally.missing.push(`${requestLine} Host: ${hostHeader} → nginx ${served}, rbac-gate no route`);
          const detail = kind === "invalid_request" || kind === "misconfigured_route" ? `: ${reasonOf(record)}` : "";
          const key = `${kind}${detail}`;
          tally.refusals.set(key, (tally.refusals.get(key) ?? 0) + 1);
        }
      }
      await nginx.stop();
    }
    const refusals = [...tally.refusals].sort((a, b) => b[1] - a[1]);
    console.log(
      `differential (seed ${SEED}): ${tally.compared} decisions compared, ${tally.agreedAllowed} allowed on nginx's own location, ${tally.disagreements.length} disagreements; refused instead:\n${refusals.map(([k, n]) => `  ${n} ${k}`).join("\n")}`,
    );
    expect(tally.disagreements).toEqual([]);
    expect(tally.missing).toEqual([]);
    // The run must exercise both sides: many allowed decisions, and refusals.
    expect(tally.agreedAllowed).toBeGreaterThan(REQUESTS);
    expect(tally.refusals.size).toBeGreaterThan(3);
  }, 240_000);
});

function reasonOf(record: DecisionRecord): string {
  const d = record.decision;
  if (!("reason" in d)) return "";
  // Route problems name objects; keep only their kind.
  if (d.code === "misconfigured_route") {
    const m = record.route?.misconfiguration ?? "";
    if (m.includes("belongs to namespace")) return "host owned by another namespace";
    if (m.includes("validation")) return "path refused by ingress-nginx's path validation";
    if (m.includes("render the same nginx location")) return "locations that collide";
    if (m.includes("regular-expression locations")) return "host with regular-expression locations (use-regex)";
    if (m.includes("canary")) return "location shared with a canary";
    return m;
  }
  return d.reason;
}
