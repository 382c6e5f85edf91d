/**
 * The building blocks of every option schema. Contract of their issues: `message` is the rule the value breaks,
 * worded to follow "<path> has <value>: " or "<path> is missing: " (problems.ts adds that part); a custom issue
 * that is about something other than the value itself says so in `params.problem` ("has an empty list").
 */
import { z } from "zod";

/** The error option of a zod schema or check whose rule reads "it must be <text>". */
export const rule = (text: string) => ({ error: () => `it must be ${text}` });

/** What a custom issue found, in place of "has <value>". */
export interface ProblemParams {
  readonly problem: string;
}

/**
 * Go's and Kubernetes' duration form, units in descending order: "30s", "5m", "1m30s", "1h", "250ms". Written
 * without lookaround, so that the chart's values schema (checked by Helm with Go's regexp) can use it as it is.
 */
export const DURATION =
  /^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?|[0-9]+m(?:[0-9]+s)?(?:[0-9]+ms)?|[0-9]+s(?:[0-9]+ms)?|[0-9]+ms)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function integer(min: number, max: number) {
  const r = rule(`a whole number from ${min} to ${max}`);
  return z.number(r).int(r).min(min, r).max(max, r);
}

/** A non-empty string, matching pattern when one is given. */
export function text(describe: string, pattern?: RegExp) {
  const r = rule(describe);
  const s = z.string(r).min(1, r);
  return pattern ? s.regex(pattern, r) : s;
}

export const flag = () => z.boolean(rule("true or false"));

/** Durations are written like "30s", "5m", "250ms", "1h"; the output is milliseconds. */
export function duration() {
  const r = rule('a duration such as "30s", "5m", "1m30s" or "250ms"');
  return z
    .string(r)
    .regex(DURATION, r)
    .transform((v) => {
      let ms = 0;
      for (const [, n, unit] of v.matchAll(/(\d+)(ms|h|m|s)/g)) ms += Number(n) * (UNIT_MS[unit as string] as number);
      return ms;
    });
}

/** '"a", "b" or "c"' */
export function quoted(values: readonly string[]): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length === 1 ? (q[0] as string) : `${q.slice(0, -1).join(", ")} or ${q.at(-1)}`;
}

export function choice<const T extends readonly [string, ...string[]]>(values: T, describe = quoted(values)) {
  return z.enum(values, rule(describe));
}

export function list<T extends z.ZodType>(item: T) {
  return z.array(item, rule("a list"));
}

/** A list that must name at least one item. */
export function nonEmptyList<T extends z.ZodType>(item: T) {
  return list(item).refine((items) => items.length > 0, {
    error: "it must name at least one item",
    params: { problem: "has an empty list" } satisfies ProblemParams,
  });
}

/**
 * A mapping whose unknown keys are problems: a typo in security configuration must not pass silently. The
 * message of the unknown-key issue lists the known fields.
 */
export function mapping<S extends z.ZodRawShape>(shape: S) {
  const known = `known fields are ${Object.keys(shape).join(", ")}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? known : "it must be a mapping"),
  });
}

/** What the schemas of one file depend on beyond the values themselves. */
export interface SchemaContext {
  /** Relative file paths are resolved against the configuration file's folder. */
  readonly resolvePath: (path: string) => string;
  /** Whether the file has a kubernetes section: routes then come from Ingresses too and may accept bearer tokens. */
  readonly cluster: boolean;
  /** Whether kubernetes.authenticationConfig is set: routes may then accept "oidc". */
  readonly oidc?: boolean;
}
