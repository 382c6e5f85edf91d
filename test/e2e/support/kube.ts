/**
 * Helpers that tests use against the real apiserver, through @kubernetes/client-node: namespaces,
 * ServiceAccounts and their tokens (TokenRequest), Roles, ClusterRoles and bindings, Secrets, and waiting until an
 * RBAC change is visible to the authorizer (which reads from informers: poll a SubjectAccessReview, never sleep).
 */
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1NonResourceAttributes,
  type V1PolicyRule,
  type V1ResourceAttributes,
} from "@kubernetes/client-node";
import { apiserverText } from "./apiserver-http.js";

export interface Kube {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly authn: AuthenticationV1Api;
  readonly authz: AuthorizationV1Api;
  readonly networking: NetworkingV1Api;
}

export function connect(kubeconfigPath: string): Kube {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    rbac: config.makeApiClient(RbacAuthorizationV1Api),
    authn: config.makeApiClient(AuthenticationV1Api),
    authz: config.makeApiClient(AuthorizationV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
  };
}

/** A fresh namespace per test: without kube-controller-manager a deleted namespace stays Terminating. */
export async function createNamespace(kube: Kube, prefix = "t"): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await kube.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function createServiceAccount(kube: Kube, namespace: string, name: string): Promise<void> {
  await kube.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
}

/** Mints a token for a ServiceAccount (TokenRequest), optionally for given audiences. */
export async function createToken(
  kube: Kube,
  namespace: string,
  serviceAccount: string,
  options: { audiences?: string[]; expirationSeconds?: number } = {},
): Promise<string> {
  const request = await kube.core.createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    body: {
      spec: {
        audiences: options.audiences ?? [],
        expirationSeconds: options.expirationSeconds ?? 3600,
      },
    },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return token;
}

export async function createRole(kube: Kube, namespace: string, name: string, rules: V1PolicyRule[]): Promise<void> {
  await kube.rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
}

export async function createClusterRole(kube: Kube, name: string, rules: V1PolicyRule[]): Promise<void> {
  await kube.rbac.createClusterRole({ body: { metadata: { name }, rules } });
}

export type Subject =
  | { kind: "ServiceAccount"; name: string; namespace: string }
  | { kind: "User" | "Group"; name: string };

const subjectOf = (s: Subject) =>
  s.kind === "ServiceAccount" ? s : { kind: s.kind, name: s.name, apiGroup: "rbac.authorization.k8s.io" };

export async function createRoleBinding(
  kube: Kube,
  namespace: string,
  name: string,
  roleRef: { kind: "Role" | "ClusterRole"; name: string },
  subjects: Subject[],
): Promise<void> {
  await kube.rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
      subjects: subjects.map(subjectOf),
    },
  });
}

export async function createClusterRoleBinding(
  kube: Kube,
  name: string,
  clusterRole: string,
  subjects: Subject[],
): Promise<void> {
  await kube.rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
      subjects: subjects.map(subjectOf),
    },
  });
}

export async function createSecret(
  kube: Kube,
  namespace: string,
  name: string,
  stringData: Record<string, string>,
): Promise<void> {
  await kube.core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData } });
}

export interface AccessQuestion {
  readonly user: string;
  readonly groups?: string[];
  readonly resourceAttributes?: V1ResourceAttributes;
  readonly nonResourceAttributes?: V1NonResourceAttributes;
}

/** Asks the apiserver's authorizer directly (SubjectAccessReview as the admin). */
export async function canI(kube: Kube, question: AccessQuestion): Promise<{ allowed: boolean; reason?: string }> {
  const review = await kube.authz.createSubjectAccessReview({
    body: {
      spec: {
        user: question.user,
        groups: question.groups ?? ["system:authenticated"],
        ...(question.resourceAttributes ? { resourceAttributes: question.resourceAttributes } : {}),
        ...(question.nonResourceAttributes ? { nonResourceAttributes: question.nonResourceAttributes } : {}),
      },
    },
  });
  return {
    allowed: review.status?.allowed === true,
    ...(review.status?.reason ? { reason: review.status.reason } : {}),
  };
}

/** Polls a SubjectAccessReview until it gives the expected answer: RBAC changes reach the authorizer via informers. */
export async function waitForAccess(kube: Kube, question: AccessQuestion, allowed = true, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if ((await canI(kube, question)).allowed === allowed) return;
    if (Date.now() > end) throw new Error(`access for ${question.user} did not become ${allowed} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reviews a token as the apiserver would (TokenReview as the admin). */
export async function reviewToken(kube: Kube, token: string, audiences: string[] = []) {
  const review = await kube.authn.createTokenReview({ body: { spec: { token, audiences } } });
  return review.status ?? {};
}

/** Creates or replaces a Secret's string data. */
export async function putSecret(
  kube: Kube,
  namespace: string,
  name: string,
  stringData: Record<string, string>,
  annotations: Record<string, string> = {},
): Promise<void> {
  const body = { metadata: { name, namespace, annotations }, type: "Opaque", stringData };
  try {
    await kube.core.replaceNamespacedSecret({ name, namespace, body });
  } catch {
    await kube.core.createNamespacedSecret({ namespace, body });
  }
}

export async function createNamespaceNamed(kube: Kube, name: string): Promise<void> {
  await kube.core.createNamespace({ body: { metadata: { name } } });
}

/** An Ingress with one host and "/" Prefix to one Service, as an app team writes it. */
export async function createIngress(
  kube: Kube,
  namespace: string,
  name: string,
  host: string,
  service: string,
  annotations: Record<string, string> = {},
): Promise<void> {
  await kube.networking.createNamespacedIngress({
    namespace,
    body: {
      metadata: { name, annotations },
      spec: {
        ingressClassName: "nginx",
        rules: [
          {
            host,
            http: {
              paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: 80 } } } }],
            },
          },
        ],
      },
    },
  });
}

/** Writes a kubeconfig that authenticates with a bearer token (a ServiceAccount's, as in a pod). */
export function kubeconfigForToken(server: string, caData: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    certificate-authority-data: ${Buffer.from(caData).toString("base64")}
users:
- name: sa
  user:
    token: ${token}
contexts:
- name: test
  context: {cluster: test, user: sa}
current-context: test
`;
}

/** Sum of the apiserver's apiserver_request_total for one resource: the calls it received, counted by itself. */
export async function apiserverRequests(kube: Kube, resource: string): Promise<number> {
  const { text } = await apiserverText(kube.config, "GET", "/metrics");
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("apiserver_request_total{") && line.includes(`resource="${resource}"`)) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

/** The seed's grant: Role hello-app-proxy (get services/proxy hello-app) bound to ServiceAccount default/consumer. */
export const HELLO_APP_PROXY_QUESTION: AccessQuestion = {
  user: "system:serviceaccount:default:consumer",
  groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
  resourceAttributes: {
    namespace: "default",
    verb: "get",
    resource: "services",
    subresource: "proxy",
    name: "hello-app",
  },
};

export async function grantHelloAppProxy(kube: Kube): Promise<void> {
  await createRole(kube, "default", "hello-app-proxy", [
    { apiGroups: [""], resources: ["services/proxy"], resourceNames: ["hello-app"], verbs: ["get"] },
  ]);
  await createRoleBinding(kube, "default", "hello-app-consumer", { kind: "Role", name: "hello-app-proxy" }, [
    { kind: "ServiceAccount", name: "consumer", namespace: "default" },
  ]);
  await waitForAccess(kube, HELLO_APP_PROXY_QUESTION);
}
