/** `kubernetes:`: present means cluster mode. */
import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import type { KubernetesConfig } from "../kubernetes.js";
import { VISIBLE_PREFIX } from "./htpasswd.js";
import {
  choice,
  duration,
  flag,
  integer,
  list,
  mapping,
  type ProblemParams,
  rule,
  type SchemaContext,
  text,
} from "./leaves.js";

const d = DEFAULTS.kubernetes;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const INGRESS_CLASS = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
export const GATEWAY_REF = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_NAMESPACE = /^\*$|^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const kubernetesCache = () =>
  mapping({
    maxEntries: integer(1, 10_000_000).prefault(d.cache.maxEntries),
    tokenReviewTtl: duration().prefault(d.cache.tokenReviewTtl),
    tokenReviewFailureTtl: duration().prefault(d.cache.tokenReviewFailureTtl),
    allowTtl: duration().prefault(d.cache.allowTtl),
    denyTtl: duration().prefault(d.cache.denyTtl),
    maxStale: duration().prefault(d.cache.maxStale),
  })
    .transform((c) => ({
      maxEntries: c.maxEntries,
      tokenReviewTtlMs: c.tokenReviewTtl,
      tokenReviewFailureTtlMs: c.tokenReviewFailureTtl,
      allowTtlMs: c.allowTtl,
      denyTtlMs: c.denyTtl,
      maxStaleMs: c.maxStale,
    }))
    .prefault({});

/** An empty prefix would let a password user pose as a cluster identity. */
const htpasswdUsernamePrefix = () =>
  z
    .string(rule("visible ASCII without spaces"))
    .refine((v) => v !== "", {
      error: "it must not be empty, or a password user could pose as a cluster identity",
      abort: true,
    })
    .regex(VISIBLE_PREFIX, rule("visible ASCII without spaces"))
    .prefault(d.htpasswdUsernamePrefix);

export const kubernetesFields = (context: SchemaContext) => ({
  kubeconfig: text("a file path")
    .transform((p) => context.resolvePath(p))
    .optional(),
  requestTimeout: duration().prefault(d.requestTimeout),
  qps: integer(1, 10_000).prefault(d.qps),
  burst: integer(1, 10_000).prefault(d.burst),
  maxPendingPerClient: integer(1, 10_000).prefault(d.maxPendingPerClient),
  ingressClassName: text("an IngressClass name", INGRESS_CLASS).prefault(d.ingressClassName),
  watchIngressWithoutClass: flag().prefault(d.watchIngressWithoutClass),
  /** With httpRoutes on, gateways must name at least one Gateway (rules.ts). */
  httpRoutes: flag().prefault(d.httpRoutes),
  gateways: list(text('a Gateway as "namespace/name"', GATEWAY_REF)).prefault([]),
  hostOwnership: choice(["oldest-namespace", "shared"]).prefault(d.hostOwnership),
  namespaces: list(text("a namespace name", DNS_LABEL)).prefault([]),
  /** Default: the Secrets of the namespaces whose Ingresses are served. "*" alone means every namespace. */
  secretNamespaces: list(text('a namespace name, or "*" alone', SECRET_NAMESPACE))
    .refine((names) => !names.includes("*") || names.length === 1, {
      error: '"*" stands alone, meaning every namespace',
      params: { problem: 'has "*" among names' } satisfies ProblemParams,
    })
    .optional(),
  audiences: list(text("an audience", /^[\x21-\x7e]{1,256}$/)).prefault([]),
  /** kube-apiserver's --authentication-config file: its JWT issuers are verified here (authn/jwt/). */
  authenticationConfig: text("a file path")
    .transform((p) => context.resolvePath(p))
    .optional(),
  authorization: choice(["host-path", "service-proxy"]).prefault(d.authorization),
  serviceAccountTokens: mapping({
    verify: choice(["tokenreview", "local"]).prefault(d.serviceAccountTokens.verify),
  }).prefault({}),
  htpasswdUsernamePrefix: htpasswdUsernamePrefix(),
  watchFailureGrace: duration().prefault(d.watchFailureGrace),
  cache: kubernetesCache(),
});

export const kubernetes = (context: SchemaContext) =>
  mapping(kubernetesFields(context)).transform(
    (k): KubernetesConfig => ({
      ...(k.kubeconfig === undefined ? {} : { kubeconfig: k.kubeconfig }),
      requestTimeoutMs: k.requestTimeout,
      qps: k.qps,
      burst: k.burst,
      maxPendingPerClient: k.maxPendingPerClient,
      ingressClassName: k.ingressClassName,
      watchIngressWithoutClass: k.watchIngressWithoutClass,
      httpRoutes: k.httpRoutes,
      gateways: k.gateways,
      hostOwnership: k.hostOwnership,
      namespaces: k.namespaces,
      secretNamespaces:
        k.secretNamespaces === undefined
          ? k.namespaces.length === 0
            ? "all"
            : k.namespaces
          : k.secretNamespaces.includes("*")
            ? "all"
            : k.secretNamespaces,
      audiences: k.audiences,
      ...(k.authenticationConfig === undefined ? {} : { authenticationConfig: k.authenticationConfig }),
      authorization: k.authorization,
      serviceAccountTokens: k.serviceAccountTokens,
      htpasswdUsernamePrefix: k.htpasswdUsernamePrefix,
      watchFailureGraceMs: k.watchFailureGrace,
      cache: k.cache,
    }),
  );
