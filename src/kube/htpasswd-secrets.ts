/**
 * htpasswd users from Secrets, watched. A route names its Secret by a key made from its own Ingress's namespace
 * ("secret:<format>:<namespace>/<name>"), so another namespace's Secret can never be used. A Secret that is
 * deleted, missing or lacks the "auth" key gives no users (401), never the old ones. Parsed users are kept per
 * Secret version, so a Secret is parsed once per change, not per request.
 *
 * Identities: a user "alice" of a Secret in namespace "team-a" is "<prefix>team-a:alice" (prefix default
 * "htpasswd:"), in group "<prefix>team-a", plus "<prefix>team-a:<g>" for each group g listed in the Secret's
 * annotation rbac-gate.io/groups. Groups are namespaced too, so no Secret can claim a cluster group such as
 * system:masters or system:authenticated.
 */
import { CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { parseAuthMap, parseHtpasswd } from "../authn/htpasswd/parse.js";
import type { HashLimits } from "../authn/htpasswd/schemes.js";
import type { HtpasswdStore, HtpasswdUsers } from "../authn/htpasswd/store.js";
import type { Logger } from "../log.js";
import { type WatchedCollection, watchCollection } from "./watch.js";

export const GROUPS_ANNOTATION = "rbac-gate.io/groups";

export interface SecretWatchOptions {
  /** "all", or the namespaces to watch (empty: none, every lookup finds no users). */
  readonly namespaces: "all" | readonly string[];
  readonly usernamePrefix: string;
  readonly allowWeakSchemes: boolean;
  readonly limits?: HashLimits;
  /** Told how many users, and how many with weak hashes, each parsed Secret gave. */
  readonly onLoad?: (source: string, users: number, weak: number) => void;
}

export interface HtpasswdSecrets extends HtpasswdStore {
  readonly collections: readonly WatchedCollection<V1Secret>[];
  stop(): Promise<void>;
}

const KEY = /^secret:(auth-file|auth-map):([^/]+)\/(.+)$/;

export function usersFromSecret(
  secret: V1Secret,
  format: "auth-file" | "auth-map",
  options: Pick<SecretWatchOptions, "usernamePrefix" | "allowWeakSchemes" | "limits">,
): { users?: HtpasswdUsers; problems: string[]; weak: number } {
  const data = secret.data ?? {};
  const decode = (v: string) => Buffer.from(v, "base64").toString("utf8");
  const namespace = secret.metadata?.namespace ?? "";
  let parsed: ReturnType<typeof parseHtpasswd>;
  if (format === "auth-file") {
    if (data.auth === undefined) return { problems: ['the Secret has no "auth" key'], weak: 0 };
    parsed = parseHtpasswd(decode(data.auth), options);
  } else {
    parsed = parseAuthMap(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decode(v)])), options);
  }
  const prefix = `${options.usernamePrefix}${namespace}`;
  const extra = (secret.metadata?.annotations?.[GROUPS_ANNOTATION] ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "")
    .map((g) => `${prefix}:${g}`);
  const groups = [prefix, ...extra];
  const problems = [...parsed.problems];
  if (parsed.weakUsers.length > 0) problems.push(`weak password hashes for users ${parsed.weakUsers.join(", ")}`);
  return {
    users: { users: parsed.users, identity: (username) => ({ username: `${prefix}:${username}`, groups }) },
    problems,
    weak: parsed.weakUsers.length,
  };
}

export async function watchHtpasswdSecrets(
  config: KubeConfig,
  options: SecretWatchOptions,
  logger: Logger,
): Promise<HtpasswdSecrets> {
  const api = config.makeApiClient(CoreV1Api);
  // Only Opaque Secrets: kubectl create secret generic makes them; Helm releases, tokens and TLS keys stay out of
  // memory.
  const fieldSelector = "type=Opaque";
  const specs =
    options.namespaces === "all"
      ? [
          {
            name: "secrets",
            path: "/api/v1/secrets",
            fieldSelector,
            list: () => api.listSecretForAllNamespaces({ fieldSelector }),
          },
        ]
      : options.namespaces.map((namespace) => ({
          name: `secrets in ${namespace}`,
          path: `/api/v1/namespaces/${namespace}/secrets`,
          fieldSelector,
          list: () => api.listNamespacedSecret({ namespace, fieldSelector }),
        }));
  const collections = await Promise.all(specs.map((spec) => watchCollection<V1Secret>(config, spec, logger)));
  const parsed = new Map<string, { version: string; users?: HtpasswdUsers }>();

  return {
    collections,
    lookup(key) {
      const m = KEY.exec(key);
      if (!m) return undefined;
      const [, format, namespace, name] = m as unknown as [string, "auth-file" | "auth-map", string, string];
      const secret = collections.map((c) => c.get(name, namespace)).find((s) => s !== undefined);
      if (!secret) {
        parsed.delete(key);
        return undefined;
      }
      const version = `${secret.metadata?.uid}/${secret.metadata?.resourceVersion}`;
      const memo = parsed.get(key);
      if (memo?.version === version) return memo.users;
      const { users, problems, weak } = usersFromSecret(secret, format, options);
      options.onLoad?.(`secret ${namespace}/${name}`, users?.users.size ?? 0, weak);
      for (const problem of problems) logger.warn({ secret: `${namespace}/${name}`, problem }, "htpasswd Secret entry");
      parsed.set(key, { version, ...(users ? { users } : {}) });
      return users;
    },
    stop: async () => {
      await Promise.all(collections.map((c) => c.stop()));
    },
  };
}
