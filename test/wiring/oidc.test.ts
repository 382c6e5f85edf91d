import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSecretKeyer } from "../../src/cache/secret-key.js";
import { buildOidcAuthenticator } from "../../src/wiring/oidc.js";
import { StartupError } from "../../src/wiring/startup-error.js";

const dir = mkdtempSync(join(tmpdir(), "rbac-gate-oidc-wiring-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cache = {
  maxEntries: 10,
  tokenReviewTtlMs: 120_000,
  tokenReviewFailureTtlMs: 10_000,
  allowTtlMs: 1,
  denyTtlMs: 1,
  maxStaleMs: 0,
};
const build = (path: string) => buildOidcAuthenticator(path, cache, createSecretKeyer(), () => {});

/** Writes an AuthenticationConfiguration with one issuer and the given lines under it; returns its path. */
function configFile(name: string, lines: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer: {url: "https://idp.example.test", audiences: [rbac-gate]}
${lines}`,
  );
  return file;
}

describe("As a platform admin starting rbac-gate with kubernetes.authenticationConfig", () => {
  it("gets an oidc authenticator from a file of claim-based issuers", async () => {
    const file = configFile("good.yaml", '  claimMappings: {username: {claim: sub, prefix: "oidc:"}}\n');
    expect((await build(file)).kind).toBe("oidc");
  });

  it("is refused at start with every problem, each naming the file", async () => {
    const file = configFile(
      "cel.yaml",
      '  claimMappings: {username: {expression: "claims.sub"}}\n  userValidationRules: [{expression: "true"}]\n',
    );
    const error = await build(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).problems).toEqual([
      `${file}: jwt[0].userValidationRules is set: it is a CEL expression, which rbac-gate does not evaluate`,
      `${file}: jwt[0].claimMappings.username.expression is set: it is a CEL expression, which rbac-gate does not evaluate; use claim and prefix`,
    ]);
  });

  it("is refused at start when the file cannot be read", async () => {
    const error = await build(join(dir, "missing.yaml")).catch((e: unknown) => e);
    expect((error as StartupError).problems).toEqual([
      `kubernetes.authenticationConfig ${join(dir, "missing.yaml")} cannot be read: no such file`,
    ]);
  });
});
