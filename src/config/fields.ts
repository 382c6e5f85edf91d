/**
 * Small readers for untyped YAML values. Each reports problems in one grammar, "<subject> has <problem>: <rule>"
 * or "<subject> is missing: <rule>", collects them instead of throwing, and returns undefined on a problem.
 */

export type Problems = string[];
type Obj = Readonly<Record<string, unknown>>;

export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Reports keys of obj that are not in known (typos in security configuration must not pass silently). */
export function checkKnownFields(problems: Problems, subject: string, obj: Obj, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key))
      problems.push(`${subject} has unknown field "${key}": known fields are ${known.join(", ")}`);
  }
}

export function readObject(problems: Problems, subject: string, v: unknown, required = false): Obj | undefined {
  if (v === undefined && !required) return undefined;
  if (v === undefined) {
    problems.push(`${subject} is missing: it must be a mapping`);
    return undefined;
  }
  if (!isObject(v)) {
    problems.push(`${subject} has ${show(v)}: it must be a mapping`);
    return undefined;
  }
  return v;
}

export function readString(
  problems: Problems,
  subject: string,
  v: unknown,
  rule: { pattern?: RegExp; describe?: string; required?: boolean } = {},
): string | undefined {
  const describe = rule.describe ?? "a string";
  if (v === undefined) {
    if (rule.required) problems.push(`${subject} is missing: it must be ${describe}`);
    return undefined;
  }
  if (typeof v !== "string" || v === "" || (rule.pattern && !rule.pattern.test(v))) {
    problems.push(`${subject} has ${show(v)}: it must be ${describe}`);
    return undefined;
  }
  return v;
}

export function readBoolean(problems: Problems, subject: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") {
    problems.push(`${subject} has ${show(v)}: it must be true or false`);
    return undefined;
  }
  return v;
}

export function readInteger(
  problems: Problems,
  subject: string,
  v: unknown,
  min: number,
  max: number,
): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`${subject} has ${show(v)}: it must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return v;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Durations are written like "30s", "5m", "250ms", "1h". */
export function readDuration(problems: Problems, subject: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const m = typeof v === "string" ? DURATION.exec(v) : null;
  if (!m) {
    problems.push(`${subject} has ${show(v)}: it must be a duration such as "30s", "5m" or "250ms"`);
    return undefined;
  }
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

export function readList<T>(
  problems: Problems,
  subject: string,
  v: unknown,
  item: (subject: string, v: unknown) => T | undefined,
  rule: { required?: boolean; nonEmpty?: boolean } = {},
): T[] | undefined {
  if (v === undefined) {
    if (rule.required) problems.push(`${subject} is missing: it must be a list`);
    return undefined;
  }
  if (!Array.isArray(v)) {
    problems.push(`${subject} has ${show(v)}: it must be a list`);
    return undefined;
  }
  if (rule.nonEmpty && v.length === 0) {
    problems.push(`${subject} has an empty list: it must name at least one item`);
    return undefined;
  }
  const out: T[] = [];
  v.forEach((x, i) => {
    const value = item(`${subject}[${i}]`, x);
    if (value !== undefined) out.push(value);
  });
  return out.length === v.length ? out : undefined;
}
