/**
 * Authorization by SubjectAccessReview, cached.
 *
 * Allowed answers are kept allowTtl (default 5 min) and denials denyTtl (default 30 s), the apiserver's webhook
 * defaults: a revoked grant lingers at most allowTtl, a new grant shows within denyTtl. Keys are keyed digests of the
 * whole spec; concurrent identical reviews are one apiserver call. Errors are never cached: they throw (500)
 * unless the cache may answer with the same key's last decision within its maximum staleness.
 */
import type { BoundedCache, LoadSource } from "../cache/bounded-cache.js";
import type { SecretKeyer } from "../cache/secret-key.js";
import { accessReviewFor, type SubjectAccessReviewSpec } from "../decision/access-review.js";
import type { Authorizer } from "./authorizer.js";

export interface AccessReviewStatus {
  readonly allowed: boolean;
  readonly denied?: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

/** Posts one SubjectAccessReview for the request of address `client`; throws when the apiserver does not answer. */
export type AccessReviewer = (spec: SubjectAccessReviewSpec, client?: string) => Promise<AccessReviewStatus>;

export interface SubjectAccessReviewAuthorizerDeps {
  readonly review: AccessReviewer;
  readonly cache: BoundedCache<AccessReviewStatus>;
  readonly key: SecretKeyer;
  readonly allowTtlMs: number;
  readonly denyTtlMs: number;
  /** Told how each decision was obtained (cache hit, apiserver call, or stale answer). */
  readonly onSource?: (source: LoadSource, spec: SubjectAccessReviewSpec) => void;
}

export function createSubjectAccessReviewAuthorizer(deps: SubjectAccessReviewAuthorizerDeps): Authorizer {
  const ttlFor = (status: AccessReviewStatus) => (status.allowed ? deps.allowTtlMs : deps.denyTtlMs);
  return {
    async authorize(user, request, route) {
      const built = accessReviewFor(user, request, route);
      if (!built.ok) throw new Error(built.error);
      const spec = built.value;
      let cache: LoadSource = "miss";
      const status = await deps.cache.load(
        deps.key(JSON.stringify(spec)),
        () => deps.review(spec, request.clientAddress),
        ttlFor,
        (source) => {
          cache = source;
          deps.onSource?.(source, spec);
        },
      );
      const trace = {
        ...(spec.resourceAttributes ? { resourceAttributes: spec.resourceAttributes } : {}),
        ...(spec.nonResourceAttributes ? { nonResourceAttributes: spec.nonResourceAttributes } : {}),
        ...(status.reason ? { reason: status.reason } : {}),
        cache,
      };
      // An answer that both allows and denies is malformed: deny.
      if (status.allowed && !status.denied) return { kind: "allow", trace };
      return { kind: "deny", reason: describeDenial(spec, status), trace };
    },
  };
}

/** "user=alice verb=get resource=services/proxy name=hello-app namespace=default" plus the apiserver's reason. */
function describeDenial(spec: SubjectAccessReviewSpec, status: AccessReviewStatus): string {
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  const target = r
    ? `resource=${r.group ? `${r.resource}.${r.group}` : r.resource}${r.subresource ? `/${r.subresource}` : ""}${
        r.name ? ` name=${r.name}` : ""
      }${r.namespace ? ` namespace=${r.namespace}` : ""}`
    : `path=${n?.path ?? ""}`;
  const verb = r?.verb ?? n?.verb ?? "";
  return `user=${spec.user} verb=${verb} ${target}${status.reason ? ` (${status.reason})` : ""}`;
}
