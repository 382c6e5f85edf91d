/**
 * Rules across fields and areas. They read the options as written, each value through its own schema, so they run
 * even when other parts of the file are broken: every problem of a file is reported in one run.
 */
import type { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import type { Finding } from "./problems.js";
import { sourceName } from "./schema/htpasswd.js";
import { flag, type SchemaContext } from "./schema/leaves.js";
import { port } from "./schema/listen.js";
import { headerName } from "./schema/root.js";
import { routeFields } from "./schema/routes.js";

type Raw = Readonly<Record<string, unknown>>;
type Rule = (root: Raw, context: SchemaContext) => Finding[];

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Raw => (isObject(v) ? v : {});
const items = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
/** The value as its schema reads it, or undefined when it is broken (its schema reports that). */
function valid<T>(schema: z.ZodType<T>, v: unknown): T | undefined {
  const result = schema.safeParse(v);
  return result.success ? result.data : undefined;
}

/** listen, grpc, metrics and health each need a port of their own. */
const portsDiffer: Rule = (root) => {
  const ports: Array<[string, number | undefined]> = [
    ["listen", valid(port().prefault(DEFAULTS.listen.port), obj(root.listen).port)],
  ];
  for (const area of ["grpc", "metrics", "health"] as const) {
    const options = root[area];
    if (isObject(options)) ports.push([area, valid(port(), options.port)]);
  }
  const findings: Finding[] = [];
  ports.forEach(([area, p], i) => {
    const earlier = ports.slice(0, i).find(([, q]) => p !== undefined && q === p);
    if (earlier) findings.push({ path: [area, "port"], message: `it must differ from ${earlier[0]}.port` });
  });
  return findings;
};

/** A header named twice would carry the user in one place and the groups in the other, or both in one. */
const identityHeadersDistinct: Rule = (root) => {
  const opts = obj(root.identityHeaders);
  const names = (v: unknown, fallback: readonly string[]) =>
    v === undefined ? fallback : items(v).flatMap((x) => valid(headerName(), x) ?? []);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const name of [
    ...names(opts.user, DEFAULTS.identityHeaders.user),
    ...names(opts.groups, DEFAULTS.identityHeaders.groups),
  ]) {
    const key = name.toLowerCase();
    if (seen.has(key))
      findings.push({
        path: ["identityHeaders"],
        problem: `has "${name}" twice`,
        message: "each header carries one field",
      });
    seen.add(key);
  }
  return findings;
};

/** Every well-formed htpasswd file name, so that routes are checked against them even if an entry is broken. */
function htpasswdNames(root: Raw): { names: Set<string>; findings: Finding[] } {
  const names = new Set<string>();
  const findings: Finding[] = [];
  items(obj(root.htpasswd).files).forEach((file, i) => {
    const name = valid(sourceName(), obj(file).name);
    if (name === undefined) return;
    if (names.has(name))
      findings.push({
        path: ["htpasswd", "files", i, "name"],
        problem: `has "${name}" again`,
        message: "names must be unique",
      });
    names.add(name);
  });
  return { names, findings };
}

const htpasswdNamesUnique: Rule = (root) => htpasswdNames(root).findings;

const routesReferToHtpasswd: Rule = (root, context) => {
  const { names } = htpasswdNames(root);
  const fields = routeFields(context);
  const findings: Finding[] = [];
  items(root.routes).forEach((route, i) => {
    if (!isObject(route)) return;
    const path = ["routes", i, "htpasswd"];
    const htpasswd = valid(fields.htpasswd, route.htpasswd);
    if (htpasswd !== undefined && !names.has(htpasswd))
      findings.push({ path, message: "it must name an entry of htpasswd.files" });
    const kinds = valid(fields.authenticators, route.authenticators);
    if (route.htpasswd === undefined && kinds?.includes("basic"))
      findings.push({ path, message: "basic authentication needs an htpasswd file" });
    if (root.clientCertificates === undefined && kinds?.includes("client-certificate"))
      findings.push({
        path: ["routes", i, "authenticators"],
        message: "client certificates need clientCertificates.caFile",
      });
  });
  return findings;
};

/** Two routes on the same location would leave the decision to their order in the file. */
const routesDiffer: Rule = (root, context) => {
  const fields = routeFields(context);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  items(root.routes).forEach((route, i) => {
    const r = obj(route);
    const host = valid(fields.host, r.host);
    const path = valid(fields.path, r.path);
    const pathType = valid(fields.pathType, r.pathType);
    if (host === undefined || path === undefined || pathType === undefined) return;
    const key = `${host} ${pathType} ${path}`;
    if (seen.has(key))
      findings.push({
        path: ["routes", i],
        problem: `has host "${host}", path "${path}" and pathType ${pathType} again`,
        message: "routes must differ",
      });
    seen.add(key);
  });
  return findings;
};

/** Without named Gateways, an HTTPRoute attached to a Gateway of someone else's would decide requests. */
const httpRoutesNeedGateways: Rule = (root) => {
  if (root.kubernetes === undefined) return [];
  const k = obj(root.kubernetes);
  const gateways = k.gateways;
  if (
    valid(flag(), k.httpRoutes) !== true ||
    !(gateways === undefined || (Array.isArray(gateways) && gateways.length === 0))
  )
    return [];
  return [
    {
      path: ["kubernetes", "gateways"],
      problem: "is empty",
      message:
        "with httpRoutes on, name the Gateways rbac-gate fronts (namespace/name), so that an HTTPRoute attached to no Gateway of yours decides nothing",
    },
  ];
};

export const CROSS_FIELD_RULES: readonly Rule[] = [
  portsDiffer,
  identityHeadersDistinct,
  htpasswdNamesUnique,
  routesReferToHtpasswd,
  routesDiffer,
  httpRoutesNeedGateways,
];

export function crossFieldFindings(options: unknown, context: SchemaContext): Finding[] {
  const root = obj(options);
  return CROSS_FIELD_RULES.flatMap((rule) => rule(root, context));
}
