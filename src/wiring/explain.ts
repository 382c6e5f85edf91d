/**
 * `rbac-gate explain`: what rbac-gate would decide for a URL and method, like `kubectl auth can-i`. It runs the
 * real gate, built as the service builds it (routes, TokenReview, SubjectAccessReview; every cache starts empty),
 * on the auth request the chosen proxy would send, and prints from the DecisionRecord the audit log writes: the
 * route, the identity (from a token through a TokenReview, or as given with --user/--group), the
 * SubjectAccessReview attributes and the apiserver's answer with its reason.
 *
 * Exit codes: 0 allowed, 4 denied or not authenticated, 1 when it cannot tell (configuration, apiserver), 2 for
 * bad arguments.
 */
import { parseArgs } from "node:util";
import { type Authenticator, NO_OPINION } from "../authn/authenticator.js";
import { routeAuthorizer } from "../authz/route-authorizer.js";
import type { Config } from "../config/config.js";
import { loadConfigFile } from "../config/load.js";
import { answer } from "../decision/decision.js";
import { createGate, type DecisionInput, type DecisionRecord } from "../decision/gate.js";
import { createLogger } from "../log.js";
import { createMetrics } from "../metrics/metrics.js";
import { DIALECTS, type DialectEntry } from "../request/dialects/table.js";
import { routeResolver } from "../routing/route-sources.js";
import { AUTHENTICATOR_KINDS, type UserInfo } from "../vocabulary/types.js";
import { routeSources } from "./service.js";

export const EXPLAIN_USAGE =
  "usage: rbac-gate explain --config FILE --url URL [--method GET] [--proxy ingress-nginx|traefik|envoy|caddy] (--token TOKEN | --user NAME [--group GROUP]...)";

type Print = (line: string) => void;

interface ExplainArgs {
  config?: string;
  url?: string;
  method?: string;
  proxy?: string;
  token?: string;
  user?: string;
  group?: string[];
  help?: boolean;
}

export async function explain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: Print = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  let args: ExplainArgs;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        url: { type: "string" },
        method: { type: "string", default: "GET" },
        proxy: { type: "string", default: "ingress-nginx" },
        token: { type: "string" },
        user: { type: "string" },
        group: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (error) {
    print((error as Error).message);
    print(EXPLAIN_USAGE);
    return 2;
  }
  if (args.help) {
    print(EXPLAIN_USAGE);
    return 0;
  }
  const configPath = args.config ?? env.RBAC_GATE_CONFIG;
  const dialect = DIALECTS.find((d) => d.name === args.proxy);
  if (!configPath || !args.url || !dialect || (args.token === undefined) === (args.user === undefined)) {
    print(EXPLAIN_USAGE);
    return 2;
  }
  const loaded = await loadConfigFile(configPath);
  if (!loaded.ok) {
    for (const problem of loaded.error) print(`configuration: ${problem}`);
    return 1;
  }
  try {
    const record = await decide(loaded.value, dialect, args);
    return report(record, print);
  } catch (error) {
    print(`cannot tell: ${(error as Error).message}`);
    return 1;
  }
}

/** The gate of the service, for one request; a user given by name is taken as authenticated. */
async function decide(config: Config, dialect: DialectEntry, args: ExplainArgs): Promise<DecisionRecord> {
  const logger = createLogger("silent");
  const cluster = config.kubernetes
    ? await (await import("./cluster.js")).buildCluster(config, config.kubernetes, logger, createMetrics())
    : undefined;
  try {
    const named: UserInfo | undefined =
      args.user === undefined ? undefined : { username: args.user, groups: args.group ?? [] };
    const authenticators: Authenticator[] = named
      ? AUTHENTICATOR_KINDS.map((kind) => ({
          kind,
          authenticate: async () => ({ kind: "authenticated", user: named }),
        }))
      : cluster
        ? [...(cluster.oidc ? [cluster.oidc] : []), cluster.bearer]
        : [{ kind: "bearer", authenticate: async () => NO_OPINION }];
    const gate = createGate({
      dialect: dialect.read,
      resolveRoute: routeResolver(routeSources(config, cluster?.routeSources), dialect.routedBy),
      authenticators,
      authorizer: routeAuthorizer(cluster?.authorizer),
    });
    return await gate(authRequest(dialect, args.url as string, args.method ?? "GET", args.token ?? "explain"));
  } finally {
    await cluster?.stop();
  }
}

/** The auth request the proxy would send for a request whose request line and Host header agree. */
function authRequest(dialect: DialectEntry, url: string, method: string, token: string): DecisionInput {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const host = parsed?.host ?? "";
  const target = parsed ? `${parsed.pathname}${parsed.search}` : "";
  const headers: Record<string, string> =
    dialect.name === "ingress-nginx"
      ? { "x-original-url": url, "x-original-method": method }
      : dialect.name === "traefik" || dialect.name === "caddy"
        ? { "x-forwarded-method": method, "x-forwarded-host": host, "x-forwarded-uri": target }
        : { host };
  const line =
    dialect.name === "ingress-nginx"
      ? { method: "GET", target: `/auth?host=${parsed?.hostname.replace(/\.$/, "") ?? ""}` }
      : { method, target: dialect.pathIsPrefix ? `${dialect.path}${target}` : dialect.path };
  return { header: (name) => headers[name], authorization: [`Bearer ${token}`], line };
}

function report(record: DecisionRecord, print: Print): number {
  const { request, route, decision, authorization } = record;
  if (request) print(`request:        ${request.method} ${request.host} ${request.path}`);
  if (route) {
    const service = route.service ? `, service ${route.service}` : "";
    print(
      `route:          ${route.source} (host ${route.host || "*"}, path ${route.path} ${route.pathType}${service})`,
    );
    if (route.misconfiguration) print(`                misconfigured: ${route.misconfiguration}`);
  }
  const user = decision.kind === "allow" || decision.kind === "forbidden" ? decision.user : undefined;
  if (user) {
    print(`identity:       ${user.username}`);
    print(`groups:         ${user.groups.join(", ") || "(none)"}`);
  }
  if (authorization?.resourceAttributes)
    print(`authorization:  SubjectAccessReview resourceAttributes ${JSON.stringify(authorization.resourceAttributes)}`);
  if (authorization?.nonResourceAttributes)
    print(
      `authorization:  SubjectAccessReview nonResourceAttributes ${JSON.stringify(authorization.nonResourceAttributes)}`,
    );
  const status = answer(decision, { user: [], groups: [] }).status;
  const why = authorization?.reason ? ` (${authorization.reason})` : "";
  if (decision.kind === "allow") print(`answer:         allowed${why} (200)`);
  else
    print(
      `answer:         ${decision.kind === "error" ? "cannot tell" : "denied"}: ${decision.reason}${why} (${status})`,
    );
  if (decision.kind === "error") return 1;
  return decision.kind === "allow" ? 0 : 4;
}
