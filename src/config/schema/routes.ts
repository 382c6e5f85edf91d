/**
 * `routes:`: hosts and paths decided by the configuration itself (in cluster mode, Ingresses add more). Rules
 * across routes and sections (unique routes, htpasswd names, basic needs htpasswd) live in ../rules.ts.
 */
import { z } from "zod";
import { normalizeHost, normalizePath } from "../../request/normalize.js";
import type { RouteAuthorization } from "../../routing/routes.js";
import type { AuthenticatorKind } from "../../vocabulary/types.js";
import { DEFAULTS } from "../defaults.js";
import {
  choice,
  list,
  mapping,
  nonEmptyList,
  type ProblemParams,
  quoted,
  rule,
  type SchemaContext,
  text,
} from "./leaves.js";

export const REALM = /^[\x20-\x7e]{1,128}$/;
export const realm = () => text("printable ASCII, 1 to 128 characters", REALM);

const HOST_RULE = 'a lower-case DNS name without port, or "*." and a DNS name';
const PATH_RULE = 'a normalized path prefix such as "/" or "/api"';
const ALLOW_RULE = "one of {authenticated: true}, {users: [names]} or {subjectAccessReview: host-path}";

function isRouteHost(host: string): boolean {
  const name = host.startsWith("*.") ? host.slice(2) : host;
  const normalized = normalizeHost(name);
  return normalized.ok && normalized.value === name && !name.includes("*");
}

function isRoutePath(path: string): boolean {
  const normalized = normalizePath(path);
  return normalized.ok && normalized.value === path && (path === "/" || !path.endsWith("/")) && !path.includes("?");
}

export const routeHost = () => text(HOST_RULE).refine(isRouteHost, rule(HOST_RULE));
export const routePath = () => text(PATH_RULE).refine(isRoutePath, rule(PATH_RULE)).prefault(DEFAULTS.route.path);
// The same location forms as an Ingress path of that type under ingress-nginx (routing/routes.ts).
export const routePathType = () =>
  choice(["Exact", "Prefix", "ImplementationSpecific"]).prefault(DEFAULTS.route.pathType);

/**
 * Bearer tokens are verified by TokenReview, so only a file with a kubernetes section may accept them; "oidc"
 * tokens by the issuers of kubernetes.authenticationConfig.
 */
export const authenticators = (context: SchemaContext) =>
  nonEmptyList(
    choice(
      ["basic", "bearer", "oidc", "client-certificate"],
      quoted([
        "basic",
        ...(context.cluster ? ["bearer"] : []),
        ...(context.oidc ? ["oidc"] : []),
        "client-certificate",
      ]),
    )
      .refine((kind) => context.cluster || kind !== "bearer", {
        error: "bearer tokens are verified by TokenReview, which needs a cluster",
      })
      .refine((kind) => context.oidc || kind !== "oidc", {
        error: "oidc tokens are verified by the issuers of kubernetes.authenticationConfig, which is not set",
      }),
  )
    .refine((kinds) => new Set(kinds).size === kinds.length, {
      error: "list each authenticator once",
      params: { problem: "has a repeated entry" } satisfies ProblemParams,
    })
    .prefault([...DEFAULTS.route.authenticators]);

/**
 * Who a route lets in: every authenticated user, listed users, or whoever Kubernetes RBAC allows the request's
 * host and path (a SubjectAccessReview with the host-path mapping: nonResourceURLs "/<host><path>"), which needs a
 * cluster.
 */
const allow = (context: SchemaContext) =>
  mapping({
    authenticated: z.literal(true, rule(ALLOW_RULE)).optional(),
    users: nonEmptyList(text("a user name")).optional(),
    subjectAccessReview: z
      .literal("host-path", rule('"host-path"'))
      .refine(() => context.cluster, {
        error: "a SubjectAccessReview needs a cluster: set kubernetes",
      })
      .optional(),
  })
    .superRefine((a, ctx) => {
      const given = [a.authenticated, a.users, a.subjectAccessReview].filter((v) => v !== undefined).length;
      if (given > 1) {
        ctx.addIssue({
          code: "custom",
          message: `it must be ${ALLOW_RULE}`,
          params: {
            problem: "has more than one of authenticated, users and subjectAccessReview",
          } satisfies ProblemParams,
        });
      } else if (given === 0) {
        ctx.addIssue({ code: "custom", message: "it must be a list", path: ["users"] });
      }
    })
    .transform((a): RouteAuthorization => {
      if (a.subjectAccessReview !== undefined) return { kind: "subject-access-review", mapping: "host-path" };
      return a.users === undefined ? { kind: "authenticated" } : { kind: "users", users: new Set(a.users) };
    });

export const routeFields = (context: SchemaContext) => ({
  host: routeHost(),
  path: routePath(),
  pathType: routePathType(),
  pathParameters: choice(["deny", "allow"]).prefault(DEFAULTS.route.pathParameters),
  authenticators: authenticators(context),
  /** Must name an entry of htpasswd.files; needed when basic is among the authenticators (rules.ts). */
  htpasswd: text("an htpasswd file name").optional(),
  /** Default: the top-level realm. */
  realm: realm().optional(),
  allow: allow(context),
});

const route = (context: SchemaContext) =>
  mapping(routeFields(context)).transform((r) => ({
    host: r.host,
    path: r.path,
    pathType: r.pathType,
    ...(r.pathParameters === "allow" ? { allowPathParameters: true } : {}),
    authenticators: r.authenticators as AuthenticatorKind[],
    realm: r.realm,
    authorization: r.allow,
    ...(r.htpasswd === undefined ? {} : { htpasswd: r.htpasswd }),
  }));

/** In cluster mode routes are optional: Ingresses provide them. */
export const routes = (context: SchemaContext) => {
  const named = <T extends object>(items: T[]) => items.map((r, i) => ({ source: `routes[${i}]`, ...r }));
  return context.cluster
    ? list(route(context)).transform(named).prefault([])
    : nonEmptyList(route(context)).transform(named);
};
