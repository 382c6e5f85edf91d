/**
 * The apiserver as rbac-gate uses it: TokenReview and SubjectAccessReview calls (rate-limited, with a timeout),
 * and the KubeConfig for watches. Every call either returns the apiserver's answer or throws; callers fail
 * closed.
 */
import { existsSync } from "node:fs";
import { KubeConfig, type V1SubjectAccessReviewStatus, type V1TokenReviewStatus } from "@kubernetes/client-node";
import type { TokenReviewer } from "../authn/token-review.js";
import type { AccessReviewer } from "../authz/subject-access-review.js";
import type { SubjectAccessReviewSpec } from "../decision/access-review.js";
import { clientKey } from "../request/client-address.js";
import { RateLimiter, RateLimitRejection } from "./rate-limiter.js";
import { createReviewPoster, type ReviewPoster } from "./review-poster.js";

export interface KubeClientOptions {
  /** A kubeconfig file; undefined: in-cluster configuration, else $KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  /** Deadline of each review: the wait for the rate limit and the HTTP exchange (retry included) together. */
  readonly timeoutMs: number;
  readonly qps: number;
  readonly burst: number;
  /** Reviews one client address may have waiting for the rate limit or in flight. */
  readonly maxPendingPerClient: number;
  /** Told of every TokenReview and SubjectAccessReview call, with its duration (rate-limit wait included). */
  readonly onCall?: (
    kind: "tokenreview" | "subjectaccessreview",
    /** "refused": never sent (the rate limiter refused it: the address's bound, the queue's, or the deadline). */
    outcome: "success" | "error" | "refused",
    seconds: number,
  ) => void;
  /** Clock in milliseconds for the rate limit and the deadline, for tests (timers are the global ones). */
  readonly now?: () => number;
}

/** TokenReview and SubjectAccessReview over any poster: what tests drive with a fake one. */
export interface ReviewClient {
  readonly tokenReview: TokenReviewer;
  readonly accessReview: AccessReviewer;
  /** Counts of calls made, by kind (tests and metrics read them). */
  readonly calls: { tokenReviews: number; subjectAccessReviews: number };
  /** Closes the connection pool. */
  close(): void;
}

export interface KubeClient extends ReviewClient {
  readonly config: KubeConfig;
}

export function loadKubeConfig(path?: string): KubeConfig {
  const config = new KubeConfig();
  if (path !== undefined) config.loadFromFile(path);
  else {
    // client-node falls back to http://localhost:8080 when it finds nothing; say what was looked for instead.
    const inCluster = process.env.KUBERNETES_SERVICE_HOST !== undefined;
    const home = process.env.KUBECONFIG ?? (process.env.HOME ? `${process.env.HOME}/.kube/config` : undefined);
    const found = process.env.KUBECONFIG !== undefined || (home !== undefined && existsSync(home));
    if (!inCluster && !found) {
      throw new Error(
        "no Kubernetes client configuration: set kubernetes.kubeconfig, run in a pod (KUBERNETES_SERVICE_HOST), or provide $KUBECONFIG or ~/.kube/config",
      );
    }
    config.loadFromDefault();
  }
  if (!config.getCurrentCluster()) throw new Error("no cluster in the Kubernetes client configuration");
  return config;
}

export function createKubeClient(config: KubeConfig, options: KubeClientOptions): KubeClient {
  return { config, ...createReviewClient(createReviewPoster(config, options.timeoutMs), options) };
}

export function createReviewClient(poster: ReviewPoster, options: KubeClientOptions): ReviewClient {
  const now = options.now ?? (() => performance.now());
  const limiter = new RateLimiter({
    qps: options.qps,
    burst: options.burst,
    maxPendingPerClient: options.maxPendingPerClient,
    now,
  });
  const calls = { tokenReviews: 0, subjectAccessReviews: 0 };

  /**
   * One review, rate-limited fairly between clients and bounded by one deadline from start to answer. A client is
   * its address's clientKey (an IPv6 address counts by its /64), the key every per-address bound uses.
   */
  const post = async (path: string, body: object, address: string | undefined) => {
    const started = now();
    const release = await limiter.acquire({
      ...(address === undefined ? {} : { client: clientKey(address) }),
      maxWaitMs: options.timeoutMs,
    });
    try {
      return await poster.post(path, body, options.timeoutMs - (now() - started));
    } finally {
      release();
    }
  };

  const timed =
    <A, R>(kind: "tokenreview" | "subjectaccessreview", call: (arg: A, client?: string) => Promise<R>) =>
    async (arg: A, client?: string): Promise<R> => {
      const started = performance.now();
      try {
        const result = await call(arg, client);
        options.onCall?.(kind, "success", (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        const outcome = error instanceof RateLimitRejection ? "refused" : "error";
        options.onCall?.(kind, outcome, (performance.now() - started) / 1000);
        throw error;
      }
    };

  const tokenReview: TokenReviewer = timed("tokenreview", async ({ token, audiences }, client) => {
    calls.tokenReviews++;
    const review = (await post(
      "/apis/authentication.k8s.io/v1/tokenreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences: [...audiences] } },
      client,
    )) as { status?: V1TokenReviewStatus };
    const status = review.status ?? {};
    const user = status.user;
    return {
      authenticated: status.authenticated === true,
      ...(status.audiences ? { audiences: status.audiences } : {}),
      ...(status.error ? { error: status.error } : {}),
      ...(status.authenticated && user?.username
        ? {
            user: {
              username: user.username,
              groups: user.groups ?? [],
              ...(user.uid ? { uid: user.uid } : {}),
              ...(user.extra ? { extra: user.extra } : {}),
            },
          }
        : {}),
    };
  });

  const accessReview: AccessReviewer = timed("subjectaccessreview", async (spec: SubjectAccessReviewSpec, client) => {
    calls.subjectAccessReviews++;
    const review = (await post(
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec },
      client,
    )) as { status?: V1SubjectAccessReviewStatus };
    const status = review.status;
    if (!status) throw new Error("SubjectAccessReview answered without status");
    return {
      allowed: status.allowed === true,
      ...(status.denied ? { denied: true } : {}),
      ...(status.reason ? { reason: status.reason } : {}),
      ...(status.evaluationError ? { evaluationError: status.evaluationError } : {}),
    };
  });

  return { tokenReview, accessReview, calls, close: () => poster.close() };
}
