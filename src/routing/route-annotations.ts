/**
 * Per-Ingress settings from annotations with the prefix "rbac-gate.io/". Pure. Every value is validated; problems
 * are returned (the route is then denied), never thrown.
 *
 *   rbac-gate.io/authenticators          "basic", "bearer", "oidc" (only with kubernetes.authenticationConfig),
 *                                        "client-certificate", comma-separated, in the order they are asked.
 *                                        Default: "basic" with an htpasswd Secret, then "oidc" when configured,
 *                                        then "bearer".
 *   rbac-gate.io/htpasswd-secret         name of a Secret in the Ingress's own namespace (no "/": another
 *                                        namespace's Secret can never be named).
 *   rbac-gate.io/htpasswd-secret-type    "auth-file" (key "auth", htpasswd lines; default) or "auth-map"
 *                                        (each key a user, its value the hash), as ingress-nginx's auth-secret-type.
 *   rbac-gate.io/authorization           "host-path", "service-proxy" or "template"; default from the configuration.
 *   rbac-gate.io/resource-attributes     template mode: JSON object of resourceAttributes fields with placeholders.
 *   rbac-gate.io/non-resource-attributes template mode: JSON object with "path" (and optional "verb").
 *   rbac-gate.io/realm                   realm of the challenges.
 *   rbac-gate.io/audiences               TokenReview audiences, comma-separated; a subset of the configured ones
 *                                        when those are set.
 *   rbac-gate.io/path-parameters         "deny" (default) or "allow": whether a path with ";" in a segment is
 *                                        decided. Servlet containers read "/public/..;/admin" as "/admin", while
 *                                        nginx routes it as written: only an app known not to do so should allow.
 */
import { NON_RESOURCE_FIELDS, RESOURCE_FIELDS, TEMPLATE_PLACEHOLDERS } from "../decision/access-review.js";
import { AUTHENTICATOR_KINDS, type AuthenticatorKind } from "../vocabulary/types.js";
import type { AttributesTemplate, RouteAuthorization } from "./routes.js";

export const ANNOTATION_PREFIX = "rbac-gate.io/";

export interface IngressDefaults {
  readonly realm: string;
  readonly mapping: "host-path" | "service-proxy";
  /** Audiences configured for the cluster; empty means the apiserver's default. */
  readonly audiences: readonly string[];
  /** Whether JWT issuers are configured (kubernetes.authenticationConfig): "oidc" is then known and a default. */
  readonly oidc?: boolean;
}

export interface IngressSettings {
  readonly authenticators: readonly AuthenticatorKind[];
  /** Store key of the htpasswd Secret: "secret:<format>:<namespace>/<name>". */
  readonly htpasswd?: string;
  readonly realm: string;
  readonly audiences?: readonly string[];
  readonly authorization: RouteAuthorization;
  readonly allowPathParameters: boolean;
  readonly problems: readonly string[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const REALM = /^[\x20-\x7e]{1,128}$/;
const KNOWN = [
  "authenticators",
  "htpasswd-secret",
  "htpasswd-secret-type",
  "authorization",
  "resource-attributes",
  "non-resource-attributes",
  "realm",
  "audiences",
  "path-parameters",
];

export function htpasswdSecretKey(format: "auth-file" | "auth-map", namespace: string, name: string): string {
  return `secret:${format}:${namespace}/${name}`;
}

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

export function readIngressAnnotations(
  namespace: string,
  annotations: Readonly<Record<string, string>>,
  defaults: IngressDefaults,
): IngressSettings {
  const problems: string[] = [];
  const get = (name: string) => annotations[`${ANNOTATION_PREFIX}${name}`];
  const bad = (name: string, rule: string) =>
    problems.push(`annotation ${ANNOTATION_PREFIX}${name} has ${JSON.stringify(get(name))}: ${rule}`);

  for (const key of Object.keys(annotations)) {
    if (key.startsWith(ANNOTATION_PREFIX) && !KNOWN.includes(key.slice(ANNOTATION_PREFIX.length))) {
      problems.push(`annotation ${key} is unknown: known annotations are ${KNOWN.join(", ")}`);
    }
  }

  let htpasswd: string | undefined;
  const secret = get("htpasswd-secret");
  const secretType = get("htpasswd-secret-type") ?? "auth-file";
  if (secretType !== "auth-file" && secretType !== "auth-map")
    bad("htpasswd-secret-type", 'it must be "auth-file" or "auth-map"');
  if (secret !== undefined) {
    if (!DNS_SUBDOMAIN.test(secret))
      bad("htpasswd-secret", "it must be the name of a Secret in the Ingress's namespace");
    else if (secretType === "auth-file" || secretType === "auth-map") {
      htpasswd = htpasswdSecretKey(secretType, namespace, secret);
    }
  }

  const known = AUTHENTICATOR_KINDS.filter((k) => defaults.oidc || k !== "oidc");
  let authenticators: AuthenticatorKind[] = [
    ...(secret === undefined ? [] : (["basic"] as const)),
    ...(defaults.oidc ? (["oidc"] as const) : []),
    "bearer",
  ];
  const authn = get("authenticators");
  if (authn !== undefined) {
    const kinds = list(authn);
    if (
      kinds.length === 0 ||
      kinds.some((k) => !known.includes(k as AuthenticatorKind)) ||
      new Set(kinds).size !== kinds.length
    ) {
      bad(
        "authenticators",
        `it must list some of ${known.map((k) => JSON.stringify(k)).join(", ")}, once each${defaults.oidc ? "" : ' ("oidc" needs kubernetes.authenticationConfig)'}`,
      );
    } else {
      authenticators = kinds as AuthenticatorKind[];
      if (kinds.includes("basic") && secret === undefined) {
        problems.push(
          `annotation ${ANNOTATION_PREFIX}authenticators has "basic": it needs ${ANNOTATION_PREFIX}htpasswd-secret`,
        );
      }
    }
  }

  const realmValue = get("realm");
  if (realmValue !== undefined && !REALM.test(realmValue))
    bad("realm", "it must be printable ASCII, 1 to 128 characters");
  const realm = realmValue !== undefined && REALM.test(realmValue) ? realmValue : defaults.realm;

  let audiences: string[] | undefined;
  const aud = get("audiences");
  if (aud !== undefined) {
    audiences = list(aud);
    if (audiences.length === 0) bad("audiences", "it must name at least one audience");
    const outside = audiences.filter((a) => defaults.audiences.length > 0 && !defaults.audiences.includes(a));
    if (outside.length > 0)
      bad("audiences", `it may only narrow the configured audiences (${defaults.audiences.join(", ")})`);
  }

  const pathParameters = get("path-parameters") ?? "deny";
  if (pathParameters !== "deny" && pathParameters !== "allow") bad("path-parameters", 'it must be "deny" or "allow"');

  const authorization = readAuthorization(get, bad, defaults.mapping);
  return {
    authenticators,
    realm,
    authorization,
    allowPathParameters: pathParameters === "allow",
    problems,
    ...(htpasswd === undefined ? {} : { htpasswd }),
    ...(audiences === undefined ? {} : { audiences }),
  };
}

function readAuthorization(
  get: (name: string) => string | undefined,
  bad: (name: string, rule: string) => void,
  fallback: "host-path" | "service-proxy",
): RouteAuthorization {
  const mapping = get("authorization") ?? fallback;
  if (mapping === "host-path" || mapping === "service-proxy") {
    return { kind: "subject-access-review", mapping };
  }
  if (mapping !== "template") {
    bad("authorization", 'it must be "host-path", "service-proxy" or "template"');
    return { kind: "subject-access-review", mapping: fallback };
  }
  const resource = get("resource-attributes");
  const nonResource = get("non-resource-attributes");
  if ((resource === undefined) === (nonResource === undefined)) {
    bad(
      "authorization",
      `template mode needs exactly one of ${ANNOTATION_PREFIX}resource-attributes and ${ANNOTATION_PREFIX}non-resource-attributes`,
    );
    return { kind: "subject-access-review", mapping: fallback };
  }
  const [name, text, fields, required] =
    resource !== undefined
      ? (["resource-attributes", resource, RESOURCE_FIELDS, "resource"] as const)
      : (["non-resource-attributes", nonResource as string, NON_RESOURCE_FIELDS, "path"] as const);
  const parsed = readTemplate(text, fields, required);
  if (typeof parsed === "string") {
    bad(name, parsed);
    return { kind: "subject-access-review", mapping: fallback };
  }
  const template: AttributesTemplate =
    resource !== undefined ? { resourceAttributes: parsed } : { nonResourceAttributes: parsed };
  return { kind: "subject-access-review", mapping: "template", template };
}

/** @returns the template, or the rule it breaks. */
function readTemplate(text: string, fields: readonly string[], required: string): Record<string, string> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "it must be a JSON object";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it must be a JSON object";
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (!fields.includes(k)) return `field "${k}" is not one of ${fields.join(", ")}`;
    if (typeof v !== "string" || v === "") return `field "${k}" must be a non-empty string`;
    for (const m of v.matchAll(/\{([^}]*)\}/g)) {
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(m[1] as string)) {
        return `placeholder {${m[1]}} is not one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}`;
      }
    }
    out[k] = v;
  }
  if (!(required in out)) return `field "${required}" is required`;
  return { ...out };
}
