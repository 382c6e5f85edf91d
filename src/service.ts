/**
 * Composition root: builds every dependency from a resolved Config. The only place where implementations are
 * chosen and connected; main.ts adds the process concerns (arguments, signals, exit codes).
 */
import type { Express } from "express";
import { createBasicAuthenticator } from "./authn/basic.js";
import { cachedPasswordCheck } from "./authn/htpasswd/cached-check.js";
import { type PasswordCheck, verifyPassword } from "./authn/htpasswd/verify.js";
import { staticAuthorizer } from "./authz/static.js";
import { BoundedCache } from "./cache/bounded-cache.js";
import { createSecretKeyer } from "./cache/secret-key.js";
import type { Config } from "./config/config.js";
import { ingressNginx } from "./core/dialects/ingress-nginx.js";
import { buildRouteTable, matchRoute } from "./core/routes.js";
import { createGate } from "./gate/decide.js";
import { createApp } from "./http/app.js";
import type { Logger } from "./log.js";
import { HtpasswdFiles } from "./sources/htpasswd-files.js";

export interface Service {
  readonly app: Express;
  readonly close: () => void;
}

export interface ServiceOptions {
  /** Replaces the password verification (tests count calls through it). */
  readonly passwordCheck?: PasswordCheck;
  readonly htpasswdPollIntervalMs?: number;
}

export class StartupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

export async function buildService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const { store, problems } = await HtpasswdFiles.open(config.htpasswd.files, {
    allowWeakSchemes: config.htpasswd.allowWeakSchemes,
    logger,
    ...(options.htpasswdPollIntervalMs === undefined ? {} : { pollIntervalMs: options.htpasswdPollIntervalMs }),
  });
  if (problems.length > 0) throw new StartupError(problems);
  store.watch();

  const sources = new Map(config.htpasswd.files.map((f) => [f.name, f]));
  const check = cachedPasswordCheck(
    options.passwordCheck ?? verifyPassword,
    new BoundedCache<boolean>(config.htpasswd.cache),
    createSecretKeyer(),
  );
  const basic = createBasicAuthenticator({
    store,
    check,
    identity: (source, username) => {
      const spec = sources.get(source);
      return { username: `${spec?.usernamePrefix ?? ""}${username}`, groups: spec?.groups ?? [] };
    },
  });
  const table = buildRouteTable(config.routes);
  const gate = createGate({
    dialect: ingressNginx,
    resolveRoute: (request) => matchRoute(table, request.host, request.path),
    authenticators: { basic },
    authorizer: staticAuthorizer,
  });
  const app = createApp({ ingressNginx: gate, identityHeaders: config.identityHeaders, logger, ready: () => true });
  return { app, close: () => store.close() };
}
