/**
 * The apiserver as rbac-gate uses it: TokenReview and SubjectAccessReview calls (rate-limited, with a timeout),
 * and the KubeConfig for watches. Every call either returns the apiserver's answer or throws; callers fail
 * closed.
 */
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  type ConfigurationOptions,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import type { TokenReviewer } from "../authn/token-review.js";
import type { AccessReviewer } from "../authz/subject-access-review.js";
import type { SubjectAccessReviewSpec } from "../core/access-review.js";
import { RateLimiter } from "./rate-limiter.js";

export interface KubeClientOptions {
  /** A kubeconfig file; undefined: in-cluster configuration, else $KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly timeoutMs: number;
  readonly qps: number;
  readonly burst: number;
  /** Told of every TokenReview and SubjectAccessReview call, with its duration (rate-limit wait included). */
  readonly onCall?: (
    kind: "tokenreview" | "subjectaccessreview",
    outcome: "success" | "error",
    seconds: number,
  ) => void;
}

export interface KubeClient {
  readonly config: KubeConfig;
  readonly tokenReview: TokenReviewer;
  readonly accessReview: AccessReviewer;
  /** Counts of calls made, by kind (tests and metrics read them). */
  readonly calls: { tokenReviews: number; subjectAccessReviews: number };
}

export function loadKubeConfig(path?: string): KubeConfig {
  const config = new KubeConfig();
  if (path !== undefined) config.loadFromFile(path);
  else config.loadFromDefault();
  if (!config.getCurrentCluster()) throw new Error("no cluster in the Kubernetes client configuration");
  return config;
}

/** Aborts each request after timeoutMs; the generated clients take this per call. */
function timeout(timeoutMs: number) {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  const options: ConfigurationOptions = { middleware: [middleware], middlewareMergeStrategy: "append" };
  return options;
}

export function createKubeClient(config: KubeConfig, options: KubeClientOptions): KubeClient {
  const authn = config.makeApiClient(AuthenticationV1Api);
  const authz = config.makeApiClient(AuthorizationV1Api);
  const limiter = new RateLimiter(options.qps, options.burst);
  const callOptions = timeout(options.timeoutMs);
  const calls = { tokenReviews: 0, subjectAccessReviews: 0 };

  const timed =
    <A, R>(kind: "tokenreview" | "subjectaccessreview", call: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      const started = performance.now();
      try {
        const result = await call(arg);
        options.onCall?.(kind, "success", (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        options.onCall?.(kind, "error", (performance.now() - started) / 1000);
        throw error;
      }
    };

  const tokenReview: TokenReviewer = timed("tokenreview", async ({ token, audiences }) => {
    await limiter.acquire();
    calls.tokenReviews++;
    const review = await authn.createTokenReview(
      {
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenReview",
          spec: { token, audiences: [...audiences] },
        },
      },
      callOptions,
    );
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

  const accessReview: AccessReviewer = timed("subjectaccessreview", async (spec: SubjectAccessReviewSpec) => {
    await limiter.acquire();
    calls.subjectAccessReviews++;
    const review = await authz.createSubjectAccessReview(
      {
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: spec.user,
            groups: [...spec.groups],
            ...(spec.uid === undefined ? {} : { uid: spec.uid }),
            ...(spec.extra === undefined
              ? {}
              : { extra: Object.fromEntries(Object.entries(spec.extra).map(([k, v]) => [k, [...v]])) }),
            ...(spec.resourceAttributes ? { resourceAttributes: { ...spec.resourceAttributes } } : {}),
            ...(spec.nonResourceAttributes ? { nonResourceAttributes: { ...spec.nonResourceAttributes } } : {}),
          },
        },
      },
      callOptions,
    );
    const status = review.status;
    if (!status) throw new Error("SubjectAccessReview answered without status");
    return {
      allowed: status.allowed === true,
      ...(status.denied ? { denied: true } : {}),
      ...(status.reason ? { reason: status.reason } : {}),
      ...(status.evaluationError ? { evaluationError: status.evaluationError } : {}),
    };
  });

  return { config, tokenReview, accessReview, calls };
}
