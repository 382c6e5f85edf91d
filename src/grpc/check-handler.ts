/**
 * The Check method's edge, as auth-endpoint.ts is the HTTP endpoints': a CheckRequest through the gate into a
 * CheckResponse, timed, counted in the metrics and written to the audit log under the dialect's name. Every
 * failure is an answer (denied 500), never a rejected promise.
 */

import type { IdentityHeaderNames } from "../decision/decision.js";
import type { DecisionRecord, Gate } from "../decision/gate.js";
import type { AuditLog } from "../http/audit.js";
import type { Metrics } from "../metrics/metrics.js";
import { type CheckRequest, type CheckResponse, checkInput, checkResponse } from "./check-mapping.js";

export interface CheckHandlerDeps {
  readonly dialect: string;
  readonly gate: Gate;
  readonly identityHeaders: IdentityHeaderNames;
  readonly audit: AuditLog;
  readonly metrics?: Metrics;
}

export type CheckHandler = (request: CheckRequest) => Promise<CheckResponse>;

/** The HTTP status a CheckResponse stands for, as the audit log and the HTTP endpoints record it. */
const httpStatus = (response: CheckResponse) => response.denied_response?.status.code ?? 200;

export function createCheckHandler(deps: CheckHandlerDeps): CheckHandler {
  const { gate, identityHeaders, audit, dialect, metrics } = deps;
  return async (request) => {
    const started = performance.now();
    const input = checkInput(request);
    let record: DecisionRecord;
    try {
      record = await gate(input);
    } catch (cause) {
      record = { decision: { kind: "error", code: "fault", reason: "unexpected failure" }, cause };
    }
    const response = checkResponse(record.decision, identityHeaders);
    const ms = performance.now() - started;
    metrics?.decision(dialect, record.decision, ms / 1000);
    audit(dialect, record, httpStatus(response), () => input.header("x-request-id"), ms);
    return response;
  };
}
