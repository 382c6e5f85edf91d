/** Reading the configuration file: YAML → options → resolved Config, or every problem found, each with its line. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { fail, type Result } from "../vocabulary/result.js";
import type { Config } from "./config.js";
import { lineOf } from "./locate.js";
import { describeReadError } from "./read-error.js";
import { checkConfig } from "./validate.js";

export async function loadConfigFile(path: string): Promise<Result<Config, readonly string[]>> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    return fail([`configuration file ${absolute} cannot be read: ${describeReadError(error)}`]);
  }
  return parseConfig(text, dirname(absolute), path);
}

/**
 * @param fileName names the file in problems ("config.yaml:12: ..."); without it they start "line 12: ...".
 */
export function parseConfig(text: string, baseDir: string, fileName?: string): Result<Config, readonly string[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        const where = fileName === undefined ? `line ${line}, column ${col}` : `${fileName}:${line}:${col}`;
        return `${where}: invalid YAML: ${e.message}`;
      }),
    );
  }
  const checked = checkConfig(doc.toJS({ maxAliasCount: 100 }), baseDir);
  if (checked.ok) return checked;
  // By line, so that the list reads top to bottom even where a missing field points at its mapping's line.
  return fail(
    checked.error
      .map((p) => ({ line: lineOf(doc, lines, p.path), text: p.text }))
      .sort((a, b) => a.line - b.line)
      .map(({ line, text }) => `${fileName === undefined ? `line ${line}` : `${fileName}:${line}`}: ${text}`),
  );
}
