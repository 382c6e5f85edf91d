/**
 * Every default of the configuration, written once, in the form a user would write it in the YAML file: the
 * schemas (schema/*.ts) parse these values like any other, so "5m" here and "5m" in a file mean the same.
 */
import { DEFAULT_HASH_LIMITS } from "../authn/htpasswd/schemes.js";

export const DEFAULTS = {
  /** Loopback: nothing outside the host reaches /auth unless the operator says so. */
  listen: { address: "127.0.0.1", port: 8080 },
  grpc: { address: "127.0.0.1" },
  metrics: { address: "127.0.0.1" },
  /**
   * The probes' listener fails when the main event loop has not beaten for this long: far above the few hundred
   * milliseconds a flood of logins can keep it busy, well below a liveness probe's patience.
   */
  health: { address: "127.0.0.1", staleAfter: "5s" },
  logLevel: "info",
  realm: "rbac-gate",
  identityHeaders: {
    user: ["X-Auth-Request-User", "X-Remote-User"],
    groups: ["X-Auth-Request-Groups", "X-Remote-Group"],
  },
  audit: { allowSampleRate: 1 },
  /** An identical request within ttl of an allow gets the same allow (http/repeated-allows.ts); "0s" turns it off. */
  allowCache: { ttl: "1s", maxEntries: 2000 },
  /** Below Kubernetes' default 30 s termination grace period, so the process ends before it is killed. */
  shutdownTimeout: "20s",
  htpasswd: {
    allowWeakSchemes: true,
    limits: DEFAULT_HASH_LIMITS,
    /**
     * Two workers: the chart's pod requests about one core, and bcrypt 10 at ~70 ms each gives ~28 checks a
     * second. The deadline sits far below ingress-nginx's 60 s auth timeout; the shares let a flood from one
     * user, address or source fill only its part of the queue.
     */
    hashing: {
      workers: 2,
      deadline: "5s",
      maxQueued: 512,
      maxPendingPerSource: 128,
      maxPendingPerAddress: 32,
      maxPendingPerUser: 8,
    },
    cache: { ttl: "5m", maxEntries: 10_000 },
  },
  route: { path: "/", pathType: "Prefix", pathParameters: "deny", authenticators: ["basic"] },
  /** On: failed Basic attempts per user and per client address lead to a temporary lockout. */
  regulation: {
    enabled: true,
    window: "2m",
    lockout: "5m",
    maxFailuresPerUser: 5,
    maxFailuresPerAddress: 50,
    maxEntries: 100_000,
    redis: { keyPrefix: "rbac-gate:regulation:", timeout: "500ms" },
  },
  kubernetes: {
    requestTimeout: "5s",
    qps: 50,
    burst: 100,
    /** A flood of new tokens from one address is refused past this, not queued ahead of everyone else's reviews. */
    maxPendingPerClient: 100,
    ingressClassName: "nginx",
    watchIngressWithoutClass: false,
    httpRoutes: false,
    hostOwnership: "oldest-namespace",
    authorization: "host-path",
    htpasswdUsernamePrefix: "htpasswd:",
    /** "local" checks ServiceAccount tokens against the apiserver's keys first (authn/service-account-tokens.ts). */
    serviceAccountTokens: { verify: "tokenreview" },
    watchFailureGrace: "60s",
    /** Denials are cached shorter than allows: a freshly granted permission takes effect within denyTtl. */
    cache: {
      maxEntries: 10_000,
      tokenReviewTtl: "2m",
      tokenReviewFailureTtl: "10s",
      allowTtl: "5m",
      denyTtl: "30s",
      maxStale: "0s",
    },
  },
} as const;
