/**
 * Vocabulary shared by the decision core and its adapters. Names follow Kubernetes where a concept exists there
 * (UserInfo as in authentication.k8s.io/v1).
 */

/** An authenticated identity, shaped like authentication.k8s.io/v1 UserInfo. */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** The request the proxy is asking about, after normalization. */
export interface OriginalRequest {
  /** Upper-case HTTP method as the client sent it. */
  readonly method: string;
  /** Lower-case host without port or trailing dot. */
  readonly host: string;
  /** Percent-decoded path with dot-segments resolved and slashes merged; always starts with "/". */
  readonly path: string;
  /**
   * Set by a dialect whose proxy matches its routes against another reading of the path than `path` (Caddy folds
   * case, and its versions trim differently): every reading a supported version of the proxy may route by. The
   * request is decided only when each reading finds the same route; `path` is still what authorization is asked
   * about, the path as the app receives it.
   */
  readonly routingPaths?: readonly string[];
  /** The client's address as the proxy itself reports it (ingress-nginx: X-Real-IP); for regulation and logs. */
  readonly clientAddress?: string;
}

/**
 * Every way a route may authenticate; adding an authenticator adds its kind here. "bearer" is a TokenReview,
 * "oidc" a token of the structured authentication configuration's issuers verified locally: both read Bearer
 * tokens. "client-certificate" is the certificate the proxy verified and passed on.
 */
export const AUTHENTICATOR_KINDS = ["basic", "bearer", "oidc", "client-certificate"] as const;
export type AuthenticatorKind = (typeof AUTHENTICATOR_KINDS)[number];
