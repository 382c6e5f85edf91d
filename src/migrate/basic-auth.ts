/**
 * `rbac-gate migrate`, the conversion: an Ingress that ingress-nginx protects with its own basic auth
 * (`auth-type: basic`, `auth-secret`, `auth-secret-type`, `auth-realm`) → the same Ingress asking rbac-gate, plus the
 * Role and RoleBinding that keep today's meaning: every user of the Secret may use every method of the Ingress's
 * Services. Pure: objects in, objects or the reason it cannot be converted out.
 */

import { servedIngress } from "../routing/ingress-class.js";
import { readIngressAnnotations } from "../routing/route-annotations.js";
import { fail, ok, type Result } from "../vocabulary/result.js";

const NGINX = "nginx.ingress.kubernetes.io/";
/** ingress-nginx's basic-auth annotations, which the migrated Ingress no longer carries. */
const BASIC_AUTH = ["auth-type", "auth-secret", "auth-secret-type", "auth-realm"].map((a) => NGINX + a);
/**
 * Every other auth-* annotation is inert under basic auth and takes effect with an auth-url (auth-cache-key would
 * cache one 200 per key for every client, auth-snippet and auth-method change the subrequest): refused, not carried.
 */
const OTHER_AUTH = new RegExp(`^${NGINX.replaceAll(".", "\\.")}auth-`);
/** On the Roles and RoleBindings migrate makes, so a rollback can select them. */
export const MIGRATE_LABELS = { "app.kubernetes.io/managed-by": "rbac-gate-migrate" } as const;
const REALM = /^[\x20-\x7e]{1,128}$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The fields of an Ingress this conversion reads and writes (wire format, as kubectl and the apiserver use). */
export interface IngressObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: IngressSpec;
}

interface Backend {
  readonly service?: { readonly name?: string; readonly [field: string]: unknown };
  readonly resource?: unknown;
}
/** The fields read here; every other one is carried over as it is. */
interface IngressSpec {
  readonly defaultBackend?: Backend;
  readonly rules?: ReadonlyArray<{
    readonly http?: {
      readonly paths?: ReadonlyArray<{ readonly backend?: Backend; readonly [field: string]: unknown }>;
    };
    readonly [field: string]: unknown;
  }>;
  readonly [field: string]: unknown;
}

export interface MigrateOptions {
  /** The namespace of an Ingress whose manifest names none (kubectl's -n); undefined: such an Ingress is refused. */
  readonly namespace?: string;
  /** The IngressClass rbac-gate serves (kubernetes.ingressClassName): only its Ingresses can be judged by rbac-gate. */
  readonly ingressClassName: string;
  readonly watchIngressWithoutClass: boolean;
  /**
   * The controller has a global-auth-url: it applies to every location without an auth-url of its own, so giving an
   * Ingress one would drop the global check. Such Ingresses are refused unless they opted out (enable-global-auth).
   */
  readonly globalAuth: boolean;
  /** The auth-url as the chart's notes print it, ending in `?host=$host`. */
  readonly authUrl: string;
  /**
   * Every identity header rbac-gate answers with, for auth-response-headers. Authorization is added to them: rbac-gate
   * never answers with one, so nginx drops the client's from the proxied request, as its own basic auth did.
   */
  readonly responseHeaders: readonly string[];
  /** kubernetes.htpasswdUsernamePrefix: a Secret's users are in group `<prefix><namespace>`. */
  readonly usernamePrefix: string;
}

export interface Migrated {
  readonly ingress: IngressObject;
  readonly role: object;
  readonly roleBinding: object;
  /** The Secret (same namespace) and its format, for the summary. */
  readonly secret: { readonly name: string; readonly format: "auth-file" | "auth-map" };
  readonly services: readonly string[];
}

/** Whether ingress-nginx checks basic auth itself for this Ingress (what migrate converts). */
export const usesNginxBasicAuth = (ingress: IngressObject) =>
  ingress.metadata.annotations?.[`${NGINX}auth-type`] !== undefined;

export function migrateIngress(ingress: IngressObject, options: MigrateOptions): Result<Migrated, string> {
  const { name } = ingress.metadata;
  const namespace = ingress.metadata.namespace ?? options.namespace;
  if (namespace === undefined) return fail("its manifest names no namespace: give -n NAMESPACE");
  const annotations = ingress.metadata.annotations ?? {};
  const nginx = (a: string) => annotations[NGINX + a]?.trim();
  const served = servedIngress(
    {
      annotations,
      ...(typeof ingress.spec?.ingressClassName === "string"
        ? { ingressClassName: ingress.spec.ingressClassName }
        : {}),
    },
    { className: options.ingressClassName, watchWithoutClass: options.watchIngressWithoutClass },
  );
  if (!served) {
    return fail(
      `its class is not ${options.ingressClassName}, the class rbac-gate serves (--ingress-class): another controller serves it, and rbac-gate would judge its host by other Ingresses`,
    );
  }

  const type = nginx("auth-type");
  if (type !== "basic") {
    return fail(`auth-type is "${type}": rbac-gate answers Basic challenges only (digest users need Basic hashes)`);
  }
  const other = Object.keys(annotations).find((a) => OTHER_AUTH.test(a) && !BASIC_AUTH.includes(a));
  if (other) return fail(`it also has ${other}, which would take effect with rbac-gate's auth-url: remove it first`);
  if (options.globalAuth && nginx("enable-global-auth") !== "false") {
    return fail("the controller's global-auth-url applies to it, and its own auth-url would replace that check");
  }
  if (Object.keys(annotations).some((a) => a.startsWith("rbac-gate.io/"))) {
    return fail("it has rbac-gate.io/ annotations already");
  }
  const secretRef = nginx("auth-secret");
  if (!secretRef) return fail("auth-secret is missing");
  const [secretNamespace, secretName] = secretRef.includes("/") ? secretRef.split("/", 2) : [namespace, secretRef];
  if (secretNamespace !== namespace) {
    return fail(
      `auth-secret names ${secretRef}, in another namespace: rbac-gate reads a Secret of the Ingress's own namespace only; copy it into ${namespace} first`,
    );
  }
  if (!secretName || !NAME.test(secretName)) return fail(`auth-secret "${secretRef}" is not a Secret name`);
  const format = nginx("auth-secret-type") || "auth-file";
  if (format !== "auth-file" && format !== "auth-map") {
    return fail(`auth-secret-type is "${format}": it must be auth-file or auth-map`);
  }
  const realm = nginx("auth-realm");
  if (realm !== undefined && !REALM.test(realm))
    return fail(`auth-realm ${JSON.stringify(realm)} is not printable ASCII`);

  const backends = [
    ingress.spec?.defaultBackend,
    ...(ingress.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []).map((p) => p.backend),
  ];
  if (backends.some((b) => b?.resource !== undefined)) {
    return fail("a backend is a resource, not a Service: service-proxy authorization needs Services");
  }
  const services = [...new Set(backends.flatMap((b) => (b?.service?.name ? [b.service.name] : [])))].sort();
  if (services.length === 0) return fail("it has no backend Service");

  const kept = Object.fromEntries(
    Object.entries(annotations).filter(
      ([a]) => !BASIC_AUTH.includes(a) && a !== "kubectl.kubernetes.io/last-applied-configuration",
    ),
  );
  const roleName = `rbac-gate-users-${name}`;
  if (roleName.length > 253) return fail("its name is too long for the Role's name");
  const group = `${options.usernamePrefix}${namespace}`;
  const added = {
    [`${NGINX}auth-url`]: options.authUrl,
    [`${NGINX}auth-response-headers`]: [...options.responseHeaders, "Authorization"].join(", "),
    "rbac-gate.io/htpasswd-secret": secretName,
    "rbac-gate.io/htpasswd-secret-type": format,
    ...(realm === undefined ? {} : { "rbac-gate.io/realm": realm }),
    "rbac-gate.io/authenticators": "basic",
    "rbac-gate.io/authorization": "service-proxy",
  };
  // What rbac-gate itself will read of them: a problem here would deny the route after the switch.
  const read = readIngressAnnotations(namespace, added, { realm: "rbac-gate", mapping: "host-path", audiences: [] });
  if (read.problems.length > 0) return fail(read.problems.join("; "));
  return ok({
    ingress: {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: {
        name,
        namespace,
        ...(ingress.metadata.labels ? { labels: ingress.metadata.labels } : {}),
        annotations: { ...kept, ...added },
      },
      ...(ingress.spec ? { spec: ingress.spec } : {}),
    },
    // ingress-nginx let every user of the file use every method: the Role keeps exactly that, for these Services.
    role: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: roleName, namespace, labels: MIGRATE_LABELS },
      rules: [{ apiGroups: [""], resources: ["services/proxy"], resourceNames: services, verbs: ["*"] }],
    },
    roleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: roleName, namespace, labels: MIGRATE_LABELS },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    },
    secret: { name: secretName, format },
    services,
  });
}
