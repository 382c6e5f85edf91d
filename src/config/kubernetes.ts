/** The `kubernetes:` section of the configuration: present means cluster mode. */
import type { Problems } from "./fields.js";
import {
  checkKnownFields,
  readBoolean,
  readDuration,
  readInteger,
  readList,
  readObject,
  readString,
} from "./fields.js";

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
  /** Who may put routes on a host named in several namespaces (core/host-ownership.ts). */
  readonly hostOwnership: "oldest-namespace" | "shared";
  /** Namespaces whose Ingresses are served; empty: all. */
  readonly namespaces: readonly string[];
  /** Namespaces whose htpasswd Secrets are watched: "all", or a list (empty: htpasswd Secrets are off). */
  readonly secretNamespaces: "all" | readonly string[];
  readonly audiences: readonly string[];
  readonly authorization: "host-path" | "service-proxy";
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

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const GATEWAY_REF = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function readKubernetes(
  problems: Problems,
  v: unknown,
  resolvePath: (p: string) => string,
): KubernetesConfig | undefined {
  if (v === undefined) return undefined;
  const k = readObject(problems, "kubernetes", v ?? {}) ?? {};
  checkKnownFields(problems, "kubernetes", k, [
    "kubeconfig",
    "requestTimeout",
    "qps",
    "burst",
    "maxPendingPerClient",
    "ingressClassName",
    "watchIngressWithoutClass",
    "httpRoutes",
    "gateways",
    "hostOwnership",
    "namespaces",
    "secretNamespaces",
    "audiences",
    "authorization",
    "htpasswdUsernamePrefix",
    "watchFailureGrace",
    "cache",
  ]);
  const kubeconfig = readString(problems, "kubernetes.kubeconfig", k.kubeconfig, { describe: "a file path" });
  const ingressClassName = readString(problems, "kubernetes.ingressClassName", k.ingressClassName, {
    pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
    describe: "an IngressClass name",
  });
  const httpRoutes = readBoolean(problems, "kubernetes.httpRoutes", k.httpRoutes) ?? false;
  const gateways =
    readList(problems, "kubernetes.gateways", k.gateways, (s, x) =>
      readString(problems, s, x, { pattern: GATEWAY_REF, describe: 'a Gateway as "namespace/name"' }),
    ) ?? [];
  if (httpRoutes && gateways.length === 0) {
    problems.push(
      "kubernetes.gateways is empty: with httpRoutes on, name the Gateways rbac-gate fronts (namespace/name), so that an HTTPRoute attached to no Gateway of yours decides nothing",
    );
  }
  const hostOwnership =
    (readString(problems, "kubernetes.hostOwnership", k.hostOwnership, {
      pattern: /^(oldest-namespace|shared)$/,
      describe: '"oldest-namespace" or "shared"',
    }) as KubernetesConfig["hostOwnership"] | undefined) ?? "oldest-namespace";
  const namespaces =
    readList(problems, "kubernetes.namespaces", k.namespaces, (s, x) =>
      readString(problems, s, x, { pattern: DNS_LABEL, describe: "a namespace name" }),
    ) ?? [];
  // Default: the Secrets of the namespaces whose Ingresses are served. "*" alone means every namespace.
  const secretList = readList(problems, "kubernetes.secretNamespaces", k.secretNamespaces, (s, x) =>
    x === "*" ? "*" : readString(problems, s, x, { pattern: DNS_LABEL, describe: 'a namespace name, or "*" alone' }),
  );
  if (secretList?.includes("*") && secretList.length > 1) {
    problems.push('kubernetes.secretNamespaces has "*" among names: "*" stands alone, meaning every namespace');
  }
  const secretNamespaces: KubernetesConfig["secretNamespaces"] =
    secretList === undefined
      ? namespaces.length === 0
        ? "all"
        : namespaces
      : secretList.includes("*")
        ? "all"
        : secretList;
  const audiences =
    readList(problems, "kubernetes.audiences", k.audiences, (s, x) =>
      readString(problems, s, x, { pattern: /^[\x21-\x7e]{1,256}$/, describe: "an audience" }),
    ) ?? [];
  const authorization =
    (readString(problems, "kubernetes.authorization", k.authorization, {
      pattern: /^(host-path|service-proxy)$/,
      describe: '"host-path" or "service-proxy"',
    }) as KubernetesConfig["authorization"] | undefined) ?? "host-path";
  const htpasswdUsernamePrefix =
    k.htpasswdUsernamePrefix === ""
      ? ""
      : (readString(problems, "kubernetes.htpasswdUsernamePrefix", k.htpasswdUsernamePrefix, {
          pattern: /^[\x21-\x7e]{1,64}$/,
          describe: "visible ASCII without spaces",
        }) ?? "htpasswd:");
  if (htpasswdUsernamePrefix === "") {
    problems.push(
      'kubernetes.htpasswdUsernamePrefix has "": it must not be empty, or a password user could pose as a cluster identity',
    );
  }
  const c = readObject(problems, "kubernetes.cache", k.cache) ?? {};
  checkKnownFields(problems, "kubernetes.cache", c, [
    "maxEntries",
    "tokenReviewTtl",
    "tokenReviewFailureTtl",
    "allowTtl",
    "denyTtl",
    "maxStale",
  ]);
  const cache = {
    maxEntries: readInteger(problems, "kubernetes.cache.maxEntries", c.maxEntries, 1, 10_000_000) ?? 10_000,
    tokenReviewTtlMs: readDuration(problems, "kubernetes.cache.tokenReviewTtl", c.tokenReviewTtl) ?? 120_000,
    tokenReviewFailureTtlMs:
      readDuration(problems, "kubernetes.cache.tokenReviewFailureTtl", c.tokenReviewFailureTtl) ?? 10_000,
    allowTtlMs: readDuration(problems, "kubernetes.cache.allowTtl", c.allowTtl) ?? 300_000,
    denyTtlMs: readDuration(problems, "kubernetes.cache.denyTtl", c.denyTtl) ?? 30_000,
    maxStaleMs: readDuration(problems, "kubernetes.cache.maxStale", c.maxStale) ?? 0,
  };
  return {
    ...(kubeconfig === undefined ? {} : { kubeconfig: resolvePath(kubeconfig) }),
    requestTimeoutMs: readDuration(problems, "kubernetes.requestTimeout", k.requestTimeout) ?? 5000,
    qps: readInteger(problems, "kubernetes.qps", k.qps, 1, 10_000) ?? 50,
    burst: readInteger(problems, "kubernetes.burst", k.burst, 1, 10_000) ?? 100,
    // A flood of new tokens from one address is refused past this, not queued ahead of everyone else's reviews.
    maxPendingPerClient:
      readInteger(problems, "kubernetes.maxPendingPerClient", k.maxPendingPerClient, 1, 10_000) ?? 100,
    ingressClassName: ingressClassName ?? "nginx",
    watchIngressWithoutClass:
      readBoolean(problems, "kubernetes.watchIngressWithoutClass", k.watchIngressWithoutClass) ?? false,
    httpRoutes,
    gateways,
    hostOwnership,
    namespaces,
    secretNamespaces,
    audiences,
    authorization,
    htpasswdUsernamePrefix,
    watchFailureGraceMs: readDuration(problems, "kubernetes.watchFailureGrace", k.watchFailureGrace) ?? 60_000,
    cache,
  };
}
