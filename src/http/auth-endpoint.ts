/**
 * The HTTP edge of one dialect's endpoint: turns a request into a DecisionInput, the decision into an answer, and
 * logs it. Only headers are read; there is never a body to parse. It works on plain node:http objects so the hot
 * path can skip express entirely (see app.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { answer, type IdentityHeaderNames } from "../decision/decision.js";
import type { DecisionRecord, Gate } from "../decision/gate.js";
import type { Metrics } from "../metrics/metrics.js";
import type { AuditLog } from "./audit.js";
import type { RepeatedAllows } from "./repeated-allows.js";

export interface AuthEndpointDeps {
  readonly dialect: string;
  /** Whether the proxy hands a 403's body to the client (see answer()). */
  readonly bodyReachesClient: boolean;
  readonly gate: Gate;
  readonly identityHeaders: IdentityHeaderNames;
  readonly audit: AuditLog;
  readonly metrics?: Metrics;
  /** Allows remembered for identical requests (repeated-allows.ts); none: every request runs the pipeline. */
  readonly repeats?: RepeatedAllows;
}

/** Every Authorization line: Node keeps only the first of repeated Authorization headers in req.headers. */
function authorizationValues(raw: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 13 && name.toLowerCase() === "authorization") values.push(raw[i + 1] as string);
  }
  return values;
}

/** A header's value; the first line's when it was sent more than once. */
function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * An endpoint's handler. A request answered from the allow cache is answered before it returns (undefined): no
 * promise, no microtask. Any other returns the promise of the whole pipeline, which never rejects on a decision.
 */
export type AuthHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | undefined;

export function authEndpoint(deps: AuthEndpointDeps): AuthHandler {
  const { gate, identityHeaders, audit, dialect, metrics, bodyReachesClient, repeats } = deps;
  const decide = async (req: IncomingMessage, res: ServerResponse, started: number, repeatKey?: string) => {
    const header = (name: string) => firstHeader(req, name);
    let record: DecisionRecord;
    try {
      record = await gate({
        header,
        authorization: authorizationValues(req.rawHeaders),
        line: { method: req.method ?? "", target: req.url ?? "" },
      });
    } catch (cause) {
      record = { decision: { kind: "error", code: "fault", reason: "unexpected failure" }, cause };
    }
    const reply = answer(record.decision, identityHeaders, !bodyReachesClient);
    // One writeHead with a flat list: no per-header bookkeeping on the hot path.
    const head: string[] = [];
    for (const [name, value] of reply.headers) head.push(name, value);
    if (reply.status !== 200) head.push("Cache-Control", "no-store", "Content-Type", "text/plain; charset=utf-8");
    head.push("Content-Length", String(Buffer.byteLength(reply.body)));
    res.writeHead(reply.status, head);
    res.end(reply.body);
    if (repeatKey !== undefined && record.decision.kind === "allow") {
      repeats?.set(repeatKey, record, head, started);
      metrics?.cache("allow", "miss");
    }
    const ms = performance.now() - started;
    metrics?.decision(dialect, record.decision, ms / 1000);
    audit(dialect, record, reply.status, () => header("x-request-id"), ms);
  };
  return (req, res) => {
    const started = performance.now();
    if (repeats === undefined) return decide(req, res, started);
    const repeatKey = repeats.keyOf(req.method ?? "", req.url ?? "", req.rawHeaders);
    const repeated = repeats.get(repeatKey, started);
    if (repeated === undefined) return decide(req, res, started, repeatKey);
    res.writeHead(200, repeated.head as string[]);
    res.end();
    const ms = performance.now() - started;
    metrics?.cache("allow", "hit");
    metrics?.decision(dialect, repeated.record.decision, ms / 1000);
    audit(dialect, repeated.record, 200, () => firstHeader(req, "x-request-id"), ms);
    return undefined;
  };
}
