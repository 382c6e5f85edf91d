/**
 * Options (the YAML as written) → Config (complete, validated, frozen). The schemas (schema/*.ts) and the rules
 * across fields (rules.ts) always both run, so every problem of a file is reported at once, one line each, naming
 * where: `routes[2].host has "Foo_bar": it must be ...`.
 */
import { resolve } from "node:path";
import { fail, ok, type Result } from "../vocabulary/result.js";
import { type Config, deepFreeze } from "./config.js";
import { fromIssues, type Problem, toProblems } from "./problems.js";
import { crossFieldFindings } from "./rules.js";
import type { SchemaContext } from "./schema/leaves.js";
import { configSchema } from "./schema/root.js";

export type { Options } from "./schema/root.js";

/**
 * @param options the parsed YAML document
 * @param baseDir folder that relative file paths are resolved against (the config file's folder)
 */
export function resolveConfig(options: unknown, baseDir: string): Result<Config, readonly string[]> {
  const checked = checkConfig(options, baseDir);
  return checked.ok ? checked : fail(checked.error.map((p) => p.text));
}

const hasAuthenticationConfig = (k: unknown) =>
  typeof k === "object" && k !== null && (k as Record<string, unknown>).authenticationConfig !== undefined;

/** As resolveConfig, with each problem's path, for pointing at its line in the file. */
export function checkConfig(options: unknown, baseDir: string): Result<Config, readonly Problem[]> {
  const raw = options ?? {};
  const context: SchemaContext = {
    resolvePath: (p) => resolve(baseDir, p),
    cluster: typeof raw === "object" && (raw as Record<string, unknown>).kubernetes !== undefined,
    oidc: typeof raw === "object" && hasAuthenticationConfig((raw as Record<string, unknown>).kubernetes),
  };
  const parsed = configSchema(context).safeParse(raw);
  const findings = [...(parsed.success ? [] : fromIssues(parsed.error.issues)), ...crossFieldFindings(raw, context)];
  if (!parsed.success || findings.length > 0) return fail(toProblems(raw, findings));
  const config: Config = parsed.data;
  return ok(deepFreeze(config));
}
