/**
 * `rbac-gate migrate`: reads Ingresses that ingress-nginx protects with its own basic auth, from YAML files (-f) or
 * from the cluster, and prints what moves them to rbac-gate as YAML for `kubectl apply -f -`: each Ingress with
 * rbac-gate's annotations instead of ingress-nginx's basic-auth ones, and a Role and RoleBinding that let every user
 * of its htpasswd Secret use every method of its Services, as before. `--diff` prints the changes instead.
 * Ingresses without basic auth are left out. The summary goes to standard error.
 *
 * Exit codes: 0 every Ingress found was converted (or none needed it), 1 some could not be (each says why; the
 * others are still printed), 2 bad arguments or nothing could be read.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parseArgs } from "node:util";
import { NetworkingV1Api } from "@kubernetes/client-node";
import { parseAllDocuments, stringify } from "yaml";
import { DEFAULTS } from "../config/defaults.js";
import { loadKubeConfig } from "../kube/client.js";
import { type IngressObject, migrateIngress, usesNginxBasicAuth } from "./basic-auth.js";
import { migrationDiff } from "./diff.js";

export const MIGRATE_USAGE = `usage: rbac-gate migrate [-f FILE|DIR]... [--kubeconfig FILE] [-n NAMESPACE | -A] [--auth-url URL]
                        [--ingress-class NAME] [--watch-ingress-without-class] [--global-auth]
                        [--htpasswd-username-prefix PREFIX] [--diff]

Converts Ingresses with ingress-nginx basic auth (auth-type: basic, auth-secret, auth-secret-type, auth-realm) to
rbac-gate and prints them with the Role and RoleBinding their users need, for kubectl apply -f -. Reads the files
given with -f (a manifest without namespace takes -n), else the cluster (the kubeconfig's namespace, -n NAMESPACE,
or -A for all). --auth-url defaults to the chart's Service in namespace rbac-gate and must end with ?host=$host.
--ingress-class (default nginx) and --watch-ingress-without-class: as rbac-gate is configured; Ingresses of other
classes are refused. --global-auth: the controller sets global-auth-url; Ingresses that did not opt out of it are
refused. --diff prints what would change instead.`;

const DEFAULT_AUTH_URL = "http://rbac-gate.rbac-gate.svc.cluster.local:8080/auth?host=$host";

type Write = (text: string) => void;

export async function migrate(argv: string[], out: Write, err: Write): Promise<number> {
  let args: ReturnType<typeof parse>["values"];
  try {
    args = parse(argv).values;
  } catch (error) {
    err(`rbac-gate: ${(error as Error).message}\n${MIGRATE_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    out(`${MIGRATE_USAGE}\n`);
    return 0;
  }
  const authUrl = args["auth-url"] ?? DEFAULT_AUTH_URL;
  if (!authUrl.endsWith("?host=$host")) {
    err("rbac-gate: --auth-url must end with ?host=$host (rbac-gate decides about the host nginx routed by)\n");
    return 2;
  }
  let ingresses: IngressObject[];
  try {
    ingresses = args.filename?.length ? fromFiles(args.filename) : await fromCluster(args);
  } catch (error) {
    err(`rbac-gate: ${(error as Error).message}\n`);
    return 2;
  }
  const options = {
    ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
    ingressClassName: args["ingress-class"] ?? DEFAULTS.kubernetes.ingressClassName,
    watchIngressWithoutClass: args["watch-ingress-without-class"] ?? false,
    globalAuth: args["global-auth"] ?? false,
    authUrl,
    responseHeaders: [...DEFAULTS.identityHeaders.user, ...DEFAULTS.identityHeaders.groups],
    usernamePrefix: args["htpasswd-username-prefix"] ?? DEFAULTS.kubernetes.htpasswdUsernamePrefix,
  };
  const documents: object[] = [];
  let refused = 0;
  const protectedByNginx = ingresses.filter(usesNginxBasicAuth);
  for (const ingress of protectedByNginx) {
    const id = `${ingress.metadata.namespace ?? "default"}/${ingress.metadata.name}`;
    const migrated = migrateIngress(ingress, options);
    if (!migrated.ok) {
      refused++;
      err(`not converted: Ingress ${id}: ${migrated.error}\n`);
      continue;
    }
    const { secret, services } = migrated.value;
    err(`converted: Ingress ${id} (Secret ${secret.name}, ${secret.format}; Services ${services.join(", ")})\n`);
    if (args.diff) out(`${migrationDiff(ingress, migrated.value).join("\n")}\n`);
    else documents.push(migrated.value.ingress, migrated.value.role, migrated.value.roleBinding);
  }
  if (!args.diff && documents.length > 0) out(documents.map((d) => stringify(d)).join("---\n"));
  const skipped = ingresses.length - protectedByNginx.length;
  err(
    `${ingresses.length} Ingresses read, ${skipped} without ingress-nginx basic auth left out, ${refused} not converted\n`,
  );
  return refused > 0 ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      filename: { type: "string", short: "f", multiple: true },
      kubeconfig: { type: "string" },
      namespace: { type: "string", short: "n" },
      "all-namespaces": { type: "boolean", short: "A" },
      "auth-url": { type: "string" },
      "ingress-class": { type: "string" },
      "watch-ingress-without-class": { type: "boolean" },
      "global-auth": { type: "boolean" },
      "htpasswd-username-prefix": { type: "string" },
      diff: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** Ingresses of YAML or JSON files, multi-document and `kind: List` included; a folder's .yaml/.yml/.json files. */
function fromFiles(paths: readonly string[]): IngressObject[] {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => [".yaml", ".yml", ".json"].includes(extname(f)))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8")).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as { kind?: string; items?: unknown[] } | null;
      const objects = value?.kind === "List" || value?.kind?.endsWith("List") ? (value.items ?? []) : [value];
      return objects.filter((o): o is IngressObject => (o as { kind?: string } | null)?.kind === "Ingress");
    }),
  );
}

async function fromCluster(args: { kubeconfig?: string; namespace?: string; "all-namespaces"?: boolean }) {
  const config = loadKubeConfig(args.kubeconfig);
  const api = config.makeApiClient(NetworkingV1Api);
  const namespace = args.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? "default";
  const list = args["all-namespaces"]
    ? await api.listIngressForAllNamespaces()
    : await api.listNamespacedIngress({ namespace });
  // Plain wire-format objects (the client's models carry the same field names; undefined fields drop out).
  return JSON.parse(JSON.stringify(list.items)) as IngressObject[];
}
