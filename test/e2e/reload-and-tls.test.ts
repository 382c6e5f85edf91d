/** An operator changing a running rbac-gate: its configuration file, its TLS certificate. */

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { basic, send } from "./support/http-client.js";
import { stopAll } from "./support/processes.js";
import { startRbacGate } from "./support/rbac-gate.js";

/** The auth request nginx sends for these requests: the documented auth-url, /auth?host=$host. */
const AUTH = "/auth?host=app.example.com";

afterAll(stopAll);

// alice (bcrypt) and bob ($apr1$); the fixture records the htpasswd command of each.
const USERS = readFixture("htpasswd/team.htpasswd");
const config = (users: string, extra = "") =>
  `htpasswd: {files: [{name: team, path: users.htpasswd}]}\nroutes: [{host: app.example.com, htpasswd: team, allow: {users: [${users}]}}]\n${extra}`;

async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

describe("As an operator editing the configuration of a running rbac-gate", () => {
  it("a valid change applies without restart; an invalid one is refused with every problem and the last good stays", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-reload-"));
    writeFileSync(join(dir, "users.htpasswd"), USERS);
    writeFileSync(join(dir, "config.yaml"), config("alice"));
    const gate = await startRbacGate(["--config", join(dir, "config.yaml")]);
    const asBob = () =>
      send(gate.port, AUTH, {
        headers: {
          "X-Original-URL": "http://app.example.com/",
          "X-Original-Method": "GET",
          Authorization: basic("bob", "bob-pw"),
        },
      }).then((r) => r.status);
    expect(await asBob()).toBe(403);

    writeFileSync(join(dir, "config.yaml"), config("alice, bob"));
    expect(await eventually(asBob, (s) => s === 200)).toBe(200);

    writeFileSync(join(dir, "config.yaml"), `${config("alice").replace("app.example.com", "Bad_Host")}realm: "\\n"\n`);
    const refused = await eventually(
      async () => gate.logs().filter((l) => l.msg === "configuration change refused"),
      (lines) => lines.length >= 2,
    );
    // In the order they are written, each with the file and line, as at start-up.
    const file = join(dir, "config.yaml");
    expect(refused.map((l) => l.problem)).toEqual([
      `${file}:2: routes[0].host has "Bad_Host": it must be a lower-case DNS name without port, or "*." and a DNS name`,
      `${file}:3: realm has "\\n": it must be printable ASCII, 1 to 128 characters`,
    ]);
    expect(await asBob()).toBe(200);
    expect(gate.process.child.exitCode).toBeNull();
  });
});

function certificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

const servedName = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, agent: false },
      (res) => {
        const cn = (res.socket as TLSSocket).getPeerCertificate().subject?.CN;
        res.resume();
        resolve(String(cn));
      },
    );
    req.on("error", reject);
    req.end();
  });

describe("As an operator serving /auth over TLS", () => {
  it("serves the certificate, picks up a renewed one, and refuses a pair that does not match", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-tls-"));
    const one = certificate(dir, "one");
    const two = certificate(dir, "two");
    const { readFileSync } = await import("node:fs");
    writeFileSync(join(dir, "tls.crt"), readFileSync(one.cert));
    writeFileSync(join(dir, "tls.key"), readFileSync(one.key));
    writeFileSync(join(dir, "users.htpasswd"), USERS);
    writeFileSync(join(dir, "config.yaml"), config("alice", "listen: {tls: {certFile: tls.crt, keyFile: tls.key}}\n"));
    const gate = await startRbacGate(["--config", join(dir, "config.yaml")], {}, "https");
    expect(await servedName(gate.port)).toBe("one");

    writeFileSync(join(dir, "tls.key"), readFileSync(two.key));
    writeFileSync(join(dir, "tls.crt"), readFileSync(two.cert));
    expect(
      await eventually(
        () => servedName(gate.port),
        (n) => n === "two",
      ),
    ).toBe("two");

    // A renewal caught half-way (the new certificate with the old key) is refused: "two" keeps serving.
    writeFileSync(join(dir, "tls.crt"), readFileSync(one.cert));
    await eventually(
      async () => gate.logs().filter((l) => l.msg === "TLS certificate reload refused; the last good one stays"),
      (lines) => lines.length > 0,
    );
    expect(await servedName(gate.port)).toBe("two");
  });
});
