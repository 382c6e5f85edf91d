/**
 * The resolved configuration: complete (defaults applied), validated and deeply frozen. Handlers only ever see
 * this type, never raw options.
 */
import type { HashLimits } from "../authn/htpasswd/schemes.js";
import type { IdentityHeaderNames } from "../decision/decision.js";
import type { Route } from "../routing/routes.js";
import type { KubernetesConfig } from "./kubernetes.js";

export interface HtpasswdFileSource {
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  /** Prepended to every user name of this source in identities. */
  readonly usernamePrefix: string;
  /** Groups every user of this source gets. */
  readonly groups: readonly string[];
}

/** The hash worker pool: threads, queue shares and the deadline of one password check. */
export interface HashingOptions {
  readonly workers: number;
  readonly deadlineMs: number;
  readonly maxQueued: number;
  readonly maxPendingPerSource: number;
  readonly maxPendingPerAddress: number;
  readonly maxPendingPerUser: number;
}

export interface Config {
  readonly listen: {
    readonly address: string;
    readonly port: number;
    /** Serve /auth over HTTPS with this certificate and key (PEM files, reloaded when they change). */
    readonly tls?: { readonly certFile: string; readonly keyFile: string };
  };
  /** Where Envoy's gRPC ext_authz (Authorization/Check) is served, cleartext HTTP/2; undefined: not served. */
  readonly grpc?: { readonly address: string; readonly port: number };
  /** Where Prometheus metrics are served (GET /metrics); undefined: not served. */
  readonly metrics?: { readonly address: string; readonly port: number };
  /**
   * Where a thread of its own answers GET /healthz and /readyz from the main event loop's heartbeat; undefined: not
   * served (the same paths on listen.port are answered by the main loop).
   */
  readonly health?: { readonly address: string; readonly port: number; readonly staleAfterMs: number };
  readonly logLevel: "debug" | "info" | "warn" | "error";
  readonly audit: { readonly allowSampleRate: number };
  /** Allows remembered for identical requests (http/repeated-allows.ts); ttlMs 0: none. */
  readonly allowCache: { readonly ttlMs: number; readonly maxEntries: number };
  /** How long in-flight requests may take to finish after SIGTERM before the process exits anyway. */
  readonly shutdownTimeoutMs: number;
  /** Default realm of challenges (routes and Ingresses without their own). */
  readonly realm: string;
  readonly identityHeaders: IdentityHeaderNames;
  readonly htpasswd: {
    readonly allowWeakSchemes: boolean;
    readonly limits: HashLimits;
    readonly hashing: HashingOptions;
    readonly cache: { readonly ttlMs: number; readonly maxEntries: number };
    readonly files: readonly HtpasswdFileSource[];
  };
  readonly routes: readonly Route[];
  /** Brute-force regulation of Basic credentials; undefined: off. */
  readonly regulation?: {
    readonly windowMs: number;
    readonly lockoutMs: number;
    readonly maxFailuresPerUser: number;
    readonly maxFailuresPerAddress: number;
    readonly maxEntries: number;
    /** Counters shared by every replica; undefined: each replica counts alone. */
    readonly redis?: { readonly url: string; readonly keyPrefix: string; readonly timeoutMs: number };
  };
  /** Present in cluster mode: routes also come from Ingresses, identities and decisions from the apiserver. */
  readonly kubernetes?: KubernetesConfig;
  /** The CA bundle of client certificates (authenticator kind "client-certificate"); undefined: none accepted. */
  readonly clientCertificates?: { readonly caFile: string };
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    if (value instanceof Set || value instanceof Map) return Object.freeze(value);
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
