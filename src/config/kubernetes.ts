/** The resolved `kubernetes:` section (schema/kubernetes.ts reads it): present means cluster mode. */
export interface KubernetesConfig {
  /** A kubeconfig file; undefined: in-cluster configuration, else $KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly requestTimeoutMs: number;
  readonly qps: number;
  readonly burst: number;
  /** Apiserver reviews one client address may have waiting for the rate limit or in flight. */
  readonly maxPendingPerClient: number;
  /** The IngressClass the fronted ingress-nginx serves (its --ingress-class); only its Ingresses make routes. */
  readonly ingressClassName: string;
  /** Whether Ingresses without any class count too (the controller's --watch-ingress-without-class). */
  readonly watchIngressWithoutClass: boolean;
  /** Whether Gateway API HTTPRoutes are watched as routes too (their CRD must be installed). */
  readonly httpRoutes: boolean;
  /** The Gateways whose traffic rbac-gate authorizes, as "namespace/name": only routes they serve count. */
  readonly gateways: readonly string[];
  /** Who may put routes on a host named in several namespaces (routing/host-ownership.ts). */
  readonly hostOwnership: "oldest-namespace" | "shared";
  /** Namespaces whose Ingresses are served; empty: all. */
  readonly namespaces: readonly string[];
  /** Namespaces whose htpasswd Secrets are watched: "all", or a list (empty: htpasswd Secrets are off). */
  readonly secretNamespaces: "all" | readonly string[];
  readonly audiences: readonly string[];
  /** kube-apiserver's AuthenticationConfiguration file, read at start (authn/jwt/authentication-config.ts). */
  readonly authenticationConfig?: string;
  readonly authorization: "host-path" | "service-proxy";
  /**
   * How ServiceAccount tokens of the apiserver's own issuer are checked: "tokenreview" only, or "local" (signature,
   * audience and times here, the TokenReview alongside the authorization; authn/service-account-tokens.ts).
   */
  readonly serviceAccountTokens: { readonly verify: "tokenreview" | "local" };
  readonly htpasswdUsernamePrefix: string;
  /** How long a broken watch may serve its last state before the readiness probe fails. */
  readonly watchFailureGraceMs: number;
  readonly cache: {
    readonly maxEntries: number;
    readonly tokenReviewTtlMs: number;
    readonly tokenReviewFailureTtlMs: number;
    readonly allowTtlMs: number;
    readonly denyTtlMs: number;
    readonly maxStaleMs: number;
  };
}
