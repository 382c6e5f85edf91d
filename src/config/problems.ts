/**
 * Findings (from the schemas' issues and the cross-field rules) → problems, one line each, in one grammar:
 *   <path> has <value>: it must be <rule>
 *   <path> is missing: it must be <rule>
 *   <path> has unknown field "k": known fields are a, b, c
 * and in document order, so that a file's problems read top to bottom.
 */
import type { z } from "zod";
import type { ProblemParams } from "./schema/leaves.js";

export interface Finding {
  /** Where in the options: ["routes", 2, "host"]. */
  readonly path: readonly PropertyKey[];
  /** What the problem names, when not path itself: the mapping of an unknown key. */
  readonly subject?: readonly PropertyKey[];
  /** What was found, in place of "has <value>" or "is missing". */
  readonly problem?: string;
  /** The rule, "it must be ..." or a reason. */
  readonly message: string;
}

export interface Problem {
  /** The node the problem is about (for unknown fields: the unknown key). */
  readonly path: readonly PropertyKey[];
  readonly text: string;
}

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function pathName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "configuration";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

function valueAt(options: unknown, path: readonly PropertyKey[]): unknown {
  let v = options;
  for (const p of path) {
    if (Array.isArray(v) && typeof p === "number") v = v[p];
    else if (isObject(v)) v = Object.hasOwn(v, p as string) ? v[p as string] : undefined;
    else return undefined;
  }
  return v;
}

function show(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function fromIssues(issues: readonly z.core.$ZodIssue[]): Finding[] {
  const seen = new Set<string>();
  return issues.flatMap((issue): Finding[] => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        subject: issue.path,
        problem: `has unknown field "${key}"`,
        message: issue.message,
      }));
    // One problem per value: an empty string breaks both "non-empty" and the pattern, and is one mistake.
    const where = pathName(issue.path);
    const params = (issue as { params?: Partial<ProblemParams> }).params;
    if (params?.problem === undefined && seen.has(where)) return [];
    seen.add(where);
    return [
      {
        path: issue.path,
        message: issue.message,
        ...(params?.problem === undefined ? {} : { problem: params.problem }),
      },
    ];
  });
}

/** The position of a path among the options as written: by key order and index, a parent before its fields. */
function positionOf(options: unknown, path: readonly PropertyKey[]): number[] {
  const position: number[] = [];
  let v = options;
  for (const p of path) {
    if (Array.isArray(v) && typeof p === "number") {
      position.push(p);
      v = v[p];
    } else if (isObject(v)) {
      const keys = Object.keys(v);
      const at = keys.indexOf(p as string);
      // A missing field sorts after the fields present.
      position.push(at === -1 ? keys.length : at);
      v = at === -1 ? undefined : v[p as string];
    } else {
      position.push(Number.MAX_SAFE_INTEGER);
      v = undefined;
    }
  }
  return position;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export function toProblems(options: unknown, findings: readonly Finding[]): Problem[] {
  const problems = findings.map((f) => {
    const subject = f.subject ?? f.path;
    const value = valueAt(options, subject);
    const problem = f.problem ?? (value === undefined ? "is missing" : `has ${show(value)}`);
    return {
      path: f.path,
      text: `${pathName(subject)} ${problem}: ${f.message}`,
      position: positionOf(options, f.path),
    };
  });
  const texts = new Set<string>();
  return problems
    .sort((a, b) => compare(a.position, b.position))
    .filter((p) => !texts.has(p.text) && texts.add(p.text))
    .map(({ path, text }) => ({ path, text }));
}
