/** Reading the configuration file: YAML → options → resolved Config, or every problem found. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { fail, type Result } from "../core/result.js";
import type { Config } from "./config.js";
import { resolveConfig } from "./validate.js";

export async function loadConfigFile(path: string): Promise<Result<Config, readonly string[]>> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    return fail([`configuration file ${absolute} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`]);
  }
  return parseConfig(text, dirname(absolute));
}

export function parseConfig(text: string, baseDir: string): Result<Config, readonly string[]> {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => `configuration has invalid YAML at line ${e.linePos?.[0]?.line ?? "?"}: ${e.code}`),
    );
  }
  return resolveConfig(doc.toJS({ maxAliasCount: 100 }), baseDir);
}
