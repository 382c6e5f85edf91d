/**
 * `rbac-gate explain`: what rbac-gate would decide for a URL and method, step by step, like `kubectl auth can-i`.
 * It prints the route, the identity (from a token, through a TokenReview, or as given with --user/--group), the
 * SubjectAccessReview attributes it would send, and the apiserver's answer with its reason. Nothing is cached.
 *
 * Exit codes: 0 allowed, 4 denied or not authenticated, 1 when it cannot tell (configuration, apiserver), 2 for
 * bad arguments.
 */
import { parseArgs } from "node:util";
import { staticAuthorizer } from "./authz/static.js";
import { loadConfigFile } from "./config/load.js";
import { accessReviewFor } from "./core/access-review.js";
import { ingressNginx } from "./core/dialects/ingress-nginx.js";
import { buildRouteTable, matchRoute, type Route } from "./core/routes.js";
import type { UserInfo } from "./core/types.js";
import { createKubeClient, loadKubeConfig } from "./kube/client.js";
import { clusterRouteOptions, watchClusterRoutes } from "./kube/cluster-routes.js";
import { createLogger } from "./log.js";

export const EXPLAIN_USAGE =
  "usage: rbac-gate explain --config FILE --url URL [--method GET] (--token TOKEN | --user NAME [--group GROUP]...)";

type Print = (line: string) => void;

export async function explain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: Print = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  let args: { config?: string; url?: string; method?: string; token?: string; user?: string; group?: string[] };
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        url: { type: "string" },
        method: { type: "string", default: "GET" },
        token: { type: "string" },
        user: { type: "string" },
        group: { type: "string", multiple: true },
      },
      strict: true,
    }).values;
  } catch (error) {
    print((error as Error).message);
    print(EXPLAIN_USAGE);
    return 2;
  }
  const configPath = args.config ?? env.RBAC_GATE_CONFIG;
  if (!configPath || !args.url || (args.token === undefined) === (args.user === undefined)) {
    print(EXPLAIN_USAGE);
    return 2;
  }
  const loaded = await loadConfigFile(configPath);
  if (!loaded.ok) {
    for (const problem of loaded.error) print(`configuration: ${problem}`);
    return 1;
  }
  const config = loaded.value;
  // As nginx would ask for a request whose request line and Host header agree.
  const hostname = URL.canParse(args.url) ? new URL(args.url).hostname.replace(/\.$/, "") : "";
  const read = ingressNginx(
    (name) => (name === "x-original-url" ? args.url : name === "x-original-method" ? args.method : undefined),
    { method: "GET", target: `/auth?host=${hostname}` },
  );
  if (!read.ok) {
    print(`request:        refused: ${read.error.reason} (403)`);
    return 4;
  }
  const request = read.value;
  print(`request:        ${request.method} ${request.host} ${request.path}`);

  const k = config.kubernetes;
  const kubeConfig = k ? loadKubeConfig(k.kubeconfig) : undefined;
  const client =
    k && kubeConfig
      ? createKubeClient(kubeConfig, {
          timeoutMs: k.requestTimeoutMs,
          qps: k.qps,
          burst: k.burst,
          maxPendingPerClient: k.maxPendingPerClient,
        })
      : undefined;
  let route: Route | undefined;
  if (k && kubeConfig) {
    const logger = createLogger("error");
    const routes = await watchClusterRoutes(kubeConfig, clusterRouteOptions(k, config.realm), logger);
    // The ingress-nginx table first, as for /auth; then what the fronted Gateways serve.
    route = routes.ingress(request.host, request.path) ?? routes.gateway(request.host, request.path);
    await routes.stop();
  }
  route ??= matchRoute(buildRouteTable(config.routes), request.host, request.path);
  if (!route) {
    print("route:          none: no Ingress, HTTPRoute or configured route for this host and path (403)");
    return 4;
  }
  print(
    `route:          ${route.source} (host ${route.host || "*"}, path ${route.pathPrefix} ${route.pathType}${
      route.service ? `, service ${route.service}` : ""
    })`,
  );
  if (route.misconfiguration) {
    print(`                misconfigured: ${route.misconfiguration} (403)`);
    return 4;
  }

  let user: UserInfo;
  if (args.token !== undefined) {
    if (!client) {
      print("identity:       bearer tokens need the kubernetes section (TokenReview)");
      return 1;
    }
    const audiences = route.audiences ?? k?.audiences ?? [];
    const status = await client.tokenReview({ token: args.token, audiences });
    if (!status.authenticated || !status.user) {
      print(`identity:       not authenticated by TokenReview${status.error ? `: ${status.error}` : ""} (401)`);
      return 4;
    }
    user = status.user;
  } else {
    user = { username: args.user as string, groups: args.group ?? [] };
  }
  print(`identity:       ${user.username}`);
  print(`groups:         ${user.groups.join(", ") || "(none)"}`);

  if (route.authorization.kind !== "subject-access-review") {
    const result = await staticAuthorizer.authorize(user, request, route);
    print(`authorization:  configured route: ${route.authorization.kind}`);
    print(result.kind === "allow" ? "answer:         allowed (200)" : `answer:         denied: ${result.reason} (403)`);
    return result.kind === "allow" ? 0 : 4;
  }
  const spec = accessReviewFor(user, request, route);
  if (!spec.ok || !client) {
    print(`authorization:  cannot build a SubjectAccessReview: ${spec.ok ? "no cluster" : spec.error}`);
    return 1;
  }
  const attributes = spec.value.resourceAttributes
    ? `resourceAttributes ${JSON.stringify(spec.value.resourceAttributes)}`
    : `nonResourceAttributes ${JSON.stringify(spec.value.nonResourceAttributes)}`;
  print(`authorization:  SubjectAccessReview ${attributes}`);
  const status = await client.accessReview(spec.value);
  const reason = status.reason ? ` (${status.reason})` : "";
  const allowed = status.allowed && !status.denied;
  print(`answer:         ${allowed ? "allowed" : "denied"}${reason} (${allowed ? 200 : 403})`);
  if (status.evaluationError) print(`                evaluation error: ${status.evaluationError}`);
  client.close();
  return allowed ? 0 : 4;
}
