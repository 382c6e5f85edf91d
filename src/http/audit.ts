/**
 * The audit log: one JSON line per decision ("msg":"decision") with the request id, dialect, method, host, path,
 * client address, route, user, groups, the exact SubjectAccessReview attributes, the decision with its code and
 * reason, whether identity and decision came from the caches, and the latency. Never a password, token or
 * Authorization value: none of them reaches this function.
 *
 * Allow lines may be sampled (allowSampleRate < 1) at high rates; every denial and error is always written.
 */
import type { DecisionRecord } from "../decision/gate.js";
import type { Logger } from "../log.js";

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export interface AuditOptions {
  /** Fraction of allow decisions written, 0 to 1. */
  readonly allowSampleRate: number;
  readonly random?: () => number;
}

export type AuditLog = (
  dialect: string,
  record: DecisionRecord,
  status: number,
  /** Read only when the line is written: an unsampled allow never builds the request's header object. */
  requestId: () => string | undefined,
  ms: number,
) => void;

const validRequestId = (id: string | undefined) => (id && REQUEST_ID.test(id) ? id : undefined);

export function createAuditLog(logger: Logger, options: AuditOptions): AuditLog {
  const random = options.random ?? Math.random;
  return (dialect, record, status, readRequestId, ms) => {
    const { decision, request, route, cause, authentication, authorization, answeredBy } = record;
    const level = decision.kind === "error" ? "error" : "info";
    if (!logger.isLevelEnabled(level)) return;
    if (decision.kind === "allow" && options.allowSampleRate < 1 && random() >= options.allowSampleRate) return;
    const user = decision.kind === "allow" || decision.kind === "forbidden" ? decision.user : undefined;
    logger[level](
      {
        requestId: validRequestId(readRequestId()),
        dialect,
        method: request?.method,
        host: request?.host,
        path: request?.path,
        clientAddress: request?.clientAddress,
        route: route?.source,
        user: user?.username,
        groups: user?.groups,
        resourceAttributes: authorization?.resourceAttributes,
        nonResourceAttributes: authorization?.nonResourceAttributes,
        decision: decision.kind,
        code: decision.kind === "allow" ? undefined : decision.code,
        reason: decision.kind === "allow" ? undefined : decision.reason,
        // An answer from the allow cache asked no other cache: it says so, and nothing else.
        cache:
          answeredBy === "allowCache"
            ? { allow: "hit" }
            : authentication?.cache || authorization?.cache
              ? { identity: authentication?.cache, decision: authorization?.cache }
              : undefined,
        status,
        ms: Math.round(ms * 100) / 100,
        ...(cause === undefined ? {} : { err: cause instanceof Error ? cause.message : String(cause) }),
      },
      "decision",
    );
  };
}
