/**
 * The pure half of gRPC ext_authz: a CheckRequest into the gate's DecisionInput, a Decision into a CheckResponse.
 * The message shapes are the fields of envoy/service/auth/v3/*.proto this code reads or writes, as
 * @grpc/proto-loader presents them (keepCase: field names as in the .proto files; enums as numbers or names).
 */
import { answer, type Decision, type IdentityHeaderNames } from "../decision/decision.js";
import type { DecisionInput } from "../decision/gate.js";

export interface CheckRequest {
  readonly attributes?: {
    readonly source?: { readonly address?: { readonly socket_address?: { readonly address?: string } } };
    readonly request?: {
      readonly http?: {
        readonly method?: string;
        readonly host?: string;
        readonly path?: string;
        /** Lower-case names; Envoy merges repeated headers into one value (", "). */
        readonly headers?: Readonly<Record<string, string>>;
      };
    };
  };
}

/** envoy.config.core.v3.HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD */
export const OVERWRITE_IF_EXISTS_OR_ADD = 2;

export interface HeaderValueOption {
  readonly header: { readonly key: string; readonly value: string };
  readonly append_action: number;
  readonly keep_empty_value: boolean;
}

export interface CheckResponse {
  /** google.rpc.Status: OK (0) allows; anything else denies. */
  readonly status: { readonly code: number };
  readonly ok_response?: { readonly headers: readonly HeaderValueOption[] };
  readonly denied_response?: {
    /** envoy.type.v3.HttpStatus; its StatusCode enum's numbers are the HTTP statuses. */
    readonly status: { readonly code: number };
    readonly headers: readonly HeaderValueOption[];
    readonly body: string;
  };
}

/** gRPC status codes (google.rpc.Code). */
export const GRPC = { OK: 0, INTERNAL: 13, PERMISSION_DENIED: 7, UNAUTHENTICATED: 16 } as const;

/**
 * The gate's input: the line is the http attributes Envoy fills in (the dialect reads only those, see
 * envoy-grpc.ts); headers are read from the map only by their own name, never from Object.prototype; the
 * Authorization value is the one (merged) value Envoy sends.
 */
export function checkInput(request: CheckRequest): DecisionInput {
  const http = request.attributes?.request?.http;
  const headers = http?.headers ?? {};
  const header = (name: string) => (Object.hasOwn(headers, name) ? headers[name] : undefined);
  const authorization = header("authorization");
  const peerAddress = request.attributes?.source?.address?.socket_address?.address;
  return {
    header,
    authorization: authorization === undefined ? [] : [authorization],
    line: {
      method: http?.method ?? "",
      target: http?.path ?? "",
      authority: http?.host ?? "",
      ...(peerAddress ? { peerAddress } : {}),
    },
  };
}

/**
 * Each header replaces one of that name (append_action OVERWRITE_IF_EXISTS_OR_ADD; the deprecated `append` is left
 * unset), names in lower case as HTTP/2 has them, and an empty value is kept: an empty groups list must still replace a client's X-Auth-Request-Groups.
 */
const option = ([key, value]: readonly [string, string]): HeaderValueOption => ({
  header: { key: key.toLowerCase(), value },
  append_action: OVERWRITE_IF_EXISTS_OR_ADD,
  keep_empty_value: true,
});

/**
 * The same answer the HTTP endpoints give (answer()), in CheckResponse form: OK with the identity headers for
 * the upstream, or a denied_response with the HTTP status, headers and body for the client. A fault is a denied
 * 500 as well, never error_response (which Envoy's failure_mode_allow would let through) nor a gRPC error.
 */
export function checkResponse(decision: Decision, names: IdentityHeaderNames): CheckResponse {
  const reply = answer(decision, names, false);
  if (reply.status === 200) return { status: { code: GRPC.OK }, ok_response: { headers: reply.headers.map(option) } };
  const code =
    reply.status === 401 ? GRPC.UNAUTHENTICATED : reply.status === 403 ? GRPC.PERMISSION_DENIED : GRPC.INTERNAL;
  return {
    status: { code },
    denied_response: {
      status: { code: reply.status },
      headers: [
        ...reply.headers,
        ["cache-control", "no-store"] as const,
        ["content-type", "text/plain; charset=utf-8"] as const,
      ].map(option),
      body: reply.body,
    },
  };
}

/** What Check answers when even the gate's fault handling failed: denied, 500. */
export const FAULT_RESPONSE: CheckResponse = checkResponse(
  { kind: "error", code: "fault", reason: "unexpected failure" },
  { user: [], groups: [] },
);
