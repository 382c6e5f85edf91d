import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig } from "../../src/config/load.js";

const demo = readFileSync(new URL("../../examples/local/config.yaml", import.meta.url), "utf8");

/** Each option area gets a wrong type, an unknown key and a bad value; the line of each is in the comment. */
const broken = `listen:
  address: [0.0.0.0]
  port: 0
  backlog: 10
metrics: {port: "9090", adress: 0.0.0.0}
logLevel: 3
realm: "bad\\u0007realm"
identityHeaders:
  user: X-User
  groups: ["bad header"]
  email: [X-Email]
htpasswd:
  allowWeakSchemes: "yes"
  limits: {maxBcryptCost: 40, maxLines: 3}
  hashing: {workers: two, deadline: 60s, threads: 2}
  cache: {ttl: 5, maxEntries: 0, size: 1}
  files:
    - {name: Team, path: 7, mode: 600}
routes:
  - host: Foo_bar
    path: [/]
    htpasswd: team
    allow: {authenticated: true, everyone: true}
regulation:
  window: 2
  lockout: forever
  enable: false
  redis: {url: "http://valkey", timeout: 1, password: x}
kubernetes:
  qps: many
  hostOwnership: first
  namespace: [a]
  cache: {allowTtl: 5, denyTtl: 1 minute, ttl: 1s}
audit: {allowSampleRate: 7, typo: 1}
shutdownTimeout: soon
`;

describe("a configuration file with problems in every option area", () => {
  it("reports every problem in one run, each with its file, line and path, in the order they are written", () => {
    expect(parseConfig(broken, "/etc/rbac-gate", "config.yaml")).toEqual({
      ok: false,
      error: [
        'config.yaml:2: listen.address has ["0.0.0.0"]: it must be an IP address',
        "config.yaml:3: listen.port has 0: it must be a whole number from 1 to 65535",
        'config.yaml:4: listen has unknown field "backlog": known fields are address, port, tls',
        'config.yaml:5: metrics.port has "9090": it must be a whole number from 1 to 65535',
        'config.yaml:5: metrics has unknown field "adress": known fields are address, port',
        "config.yaml:6: logLevel has 3: it must be one of debug, info, warn, error",
        'config.yaml:7: realm has "bad\\u0007realm": it must be printable ASCII, 1 to 128 characters',
        'config.yaml:9: identityHeaders.user has "X-User": it must be a list',
        'config.yaml:10: identityHeaders.groups[0] has "bad header": it must be an HTTP header name',
        'config.yaml:11: identityHeaders has unknown field "email": known fields are user, groups',
        'config.yaml:13: htpasswd.allowWeakSchemes has "yes": it must be true or false',
        "config.yaml:14: htpasswd.limits.maxBcryptCost has 40: it must be a whole number from 4 to 31",
        'config.yaml:14: htpasswd.limits has unknown field "maxLines": known fields are maxBcryptCost, maxShaCryptRounds, maxLineBytes, maxPasswordBytes',
        'config.yaml:15: htpasswd.hashing.workers has "two": it must be a whole number from 1 to 64',
        'config.yaml:15: htpasswd.hashing.deadline has "60s": it must be from 100ms to 30s, below the proxy\'s auth timeout',
        'config.yaml:15: htpasswd.hashing has unknown field "threads": known fields are workers, deadline, maxQueued, maxPendingPerSource, maxPendingPerAddress, maxPendingPerUser',
        'config.yaml:16: htpasswd.cache.ttl has 5: it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        "config.yaml:16: htpasswd.cache.maxEntries has 0: it must be a whole number from 1 to 10000000",
        'config.yaml:16: htpasswd.cache has unknown field "size": known fields are ttl, maxEntries',
        'config.yaml:18: htpasswd.files[0].name has "Team": it must be a lower-case DNS label',
        "config.yaml:18: htpasswd.files[0].path has 7: it must be a file path",
        'config.yaml:18: htpasswd.files[0] has unknown field "mode": known fields are name, path, usernamePrefix, groups',
        'config.yaml:20: routes[0].host has "Foo_bar": it must be a lower-case DNS name without port, or "*." and a DNS name',
        'config.yaml:21: routes[0].path has ["/"]: it must be a normalized path prefix such as "/" or "/api"',
        'config.yaml:22: routes[0].htpasswd has "team": it must name an entry of htpasswd.files',
        'config.yaml:23: routes[0].allow has unknown field "everyone": known fields are authenticated, users, subjectAccessReview',
        'config.yaml:25: regulation.window has 2: it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        'config.yaml:26: regulation.lockout has "forever": it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        'config.yaml:27: regulation has unknown field "enable": known fields are enabled, window, lockout, maxFailuresPerUser, maxFailuresPerAddress, maxEntries, redis',
        'config.yaml:28: regulation.redis.url has "http://valkey": it must be a redis:// or rediss:// URL',
        'config.yaml:28: regulation.redis.timeout has 1: it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        'config.yaml:28: regulation.redis has unknown field "password": known fields are url, keyPrefix, timeout',
        'config.yaml:30: kubernetes.qps has "many": it must be a whole number from 1 to 10000',
        'config.yaml:31: kubernetes.hostOwnership has "first": it must be "oldest-namespace" or "shared"',
        'config.yaml:32: kubernetes has unknown field "namespace": known fields are kubeconfig, requestTimeout, qps, burst, maxPendingPerClient, ingressClassName, watchIngressWithoutClass, httpRoutes, gateways, hostOwnership, namespaces, secretNamespaces, audiences, authenticationConfig, authorization, serviceAccountTokens, htpasswdUsernamePrefix, watchFailureGrace, cache',
        'config.yaml:33: kubernetes.cache.allowTtl has 5: it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        'config.yaml:33: kubernetes.cache.denyTtl has "1 minute": it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
        'config.yaml:33: kubernetes.cache has unknown field "ttl": known fields are maxEntries, tokenReviewTtl, tokenReviewFailureTtl, allowTtl, denyTtl, maxStale',
        "config.yaml:34: audit.allowSampleRate has 7: it must be a number from 0 to 1",
        'config.yaml:34: audit has unknown field "typo": known fields are allowSampleRate',
        'config.yaml:35: shutdownTimeout has "soon": it must be a duration such as "30s", "5m", "1m30s" or "250ms"',
      ],
    });
  });
});

describe("problems found after the cross-field rules", () => {
  it("refuses the demo configuration with a bad audit section and shutdown timeout instead of starting", () => {
    const text = `${demo}audit: { allowSampleRate: 7, typo: 1 }\nshutdownTimeout: soon\n`;
    const lines = text.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) + 1;
    expect(parseConfig(text, "/etc/rbac-gate", "config.yaml")).toEqual({
      ok: false,
      error: [
        `config.yaml:${at("audit:")}: audit.allowSampleRate has 7: it must be a number from 0 to 1`,
        `config.yaml:${at("audit:")}: audit has unknown field "typo": known fields are allowSampleRate`,
        `config.yaml:${at("shutdownTimeout:")}: shutdownTimeout has "soon": it must be a duration such as "30s", "5m", "1m30s" or "250ms"`,
      ],
    });
  });

  it("points a missing field at the line of the mapping it belongs in", () => {
    const text =
      "htpasswd:\n  files: [{name: team, path: users}]\nroutes:\n  - host: a.example.com\n    allow: {users: [ann]}\n";
    expect(parseConfig(text, "/")).toEqual({
      ok: false,
      error: ["line 4: routes[0].htpasswd is missing: basic authentication needs an htpasswd file"],
    });
  });
});

describe("loadConfigFile", () => {
  it("says in words why the file cannot be read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-config-"));
    expect(await loadConfigFile(join(dir, "absent.yaml"))).toEqual({
      ok: false,
      error: [`configuration file ${join(dir, "absent.yaml")} cannot be read: no such file`],
    });
    expect(await loadConfigFile(dir)).toEqual({
      ok: false,
      error: [`configuration file ${dir} cannot be read: it is a folder, not a file`],
    });
  });

  it("names the file as given in each problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-config-"));
    writeFileSync(join(dir, "config.yaml"), "listen:\n  port: 0\nroutes: []\n");
    expect(await loadConfigFile(join(dir, "config.yaml"))).toEqual({
      ok: false,
      error: [
        `${join(dir, "config.yaml")}:2: listen.port has 0: it must be a whole number from 1 to 65535`,
        `${join(dir, "config.yaml")}:3: routes has an empty list: it must name at least one item`,
      ],
    });
  });
});
