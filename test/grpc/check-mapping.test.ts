/**
 * Envoy's gRPC ext_authz, the pure half: what a CheckRequest is read as (through the envoy-grpc dialect and the
 * gate's input), and the CheckResponse each decision becomes. The .proto files are loaded once to check that
 * every response encodes as Envoy will read it.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import type { Decision } from "../../src/decision/decision.js";
import {
  type CheckRequest,
  checkInput,
  checkResponse,
  FAULT_RESPONSE,
  OVERWRITE_IF_EXISTS_OR_ADD,
} from "../../src/grpc/check-mapping.js";
import { AUTHORIZATION_PROTO, PROTO_ROOT } from "../../src/grpc/server.js";
import { envoyGrpcExtAuthz } from "../../src/request/dialects/envoy-grpc.js";
import { checkRequest } from "../support/dialects.js";

const NAMES = { user: ["X-Auth-Request-User"], groups: ["X-Auth-Request-Groups"] };
const read = (request: CheckRequest) => {
  const input = checkInput(request);
  return envoyGrpcExtAuthz(input.header, input.line);
};
const challenge = { realm: "apps", schemes: ["basic", "bearer"] as const, invalidToken: false };

describe("reading a CheckRequest", () => {
  it("reads method, host and path from the http attributes Envoy fills in, normalized like every dialect's", () => {
    expect(
      read(checkRequest({ method: "DELETE", host: "App.Example.test:443", target: "/api/./items/7?x=1" })),
    ).toEqual({
      ok: true,
      value: {
        method: "DELETE",
        host: "app.example.test",
        path: "/api/items/7",
        // Envoy routes by the path as sent: both readings must find the same route.
        routingPaths: ["/api/items/7", "/api/./items/7"],
        clientAddress: "192.0.2.10",
      },
    });
  });

  it("takes the client address from source.address, never from the client's X-Forwarded-For", () => {
    const request = checkRequest({
      method: "GET",
      host: "app.example.test",
      target: "/",
      clientAddress: "198.51.100.7",
      headers: { "X-Forwarded-For": "10.0.0.1" },
    });
    request.attributes.request.http.headers["x-forwarded-for"] = "10.0.0.1";
    const result = read(request);
    expect(result.ok && result.value.clientAddress).toBe("198.51.100.7");
  });

  it("never reads the host, path or method from headers a client sends, pseudo-headers included", () => {
    const request = checkRequest({ method: "POST", host: "app.example.test", target: "/admin" });
    Object.assign(request.attributes.request.http.headers, {
      ":authority": "public.example.test",
      ":path": "/",
      host: "public.example.test",
      "x-forwarded-host": "public.example.test",
      "x-forwarded-uri": "/",
      "x-envoy-original-path": "/",
      "x-original-url": "http://public.example.test/",
    });
    expect(read(request)).toEqual({
      ok: true,
      value: { method: "POST", host: "app.example.test", path: "/admin", clientAddress: "192.0.2.10" },
    });
  });

  it("answers 500 (misconfigured) for a CheckRequest without http attributes, as from a network filter", () => {
    expect(read({ attributes: {} })).toMatchObject({ ok: false, error: { kind: "misconfigured" } });
  });

  it("refuses (invalid) an encoded slash in the path, as the HTTP dialect does", () => {
    expect(read(checkRequest({ method: "GET", host: "a.test", target: "/a%2Fb" }))).toMatchObject({
      ok: false,
      error: { kind: "invalid" },
    });
  });

  it("passes the Authorization header on, and reads headers by their own name only, never Object.prototype's", () => {
    const input = checkInput(
      checkRequest({ method: "GET", host: "a.test", target: "/", headers: { Authorization: "Bearer t" } }),
    );
    expect(input.authorization).toEqual(["Bearer t"]);
    expect(input.header("constructor")).toBeUndefined();
    expect(input.header("__proto__")).toBeUndefined();
    expect(checkInput({}).authorization).toEqual([]);
  });
});

describe("the CheckResponse of each decision", () => {
  it("allows with status OK and the identity headers, each replacing a client's header of that name", () => {
    const response = checkResponse({ kind: "allow", user: { username: "alice", groups: [] } }, NAMES);
    expect(response).toEqual({
      status: { code: 0 },
      ok_response: {
        headers: [
          {
            header: { key: "x-auth-request-user", value: "alice" },
            append_action: OVERWRITE_IF_EXISTS_OR_ADD,
            keep_empty_value: true,
          },
          {
            header: { key: "x-auth-request-groups", value: "" },
            append_action: OVERWRITE_IF_EXISTS_OR_ADD,
            keep_empty_value: true,
          },
        ],
      },
    });
  });

  it("denies no or bad credentials with UNAUTHENTICATED and a 401 carrying the challenge", () => {
    const response = checkResponse({ kind: "unauthenticated", code: "no_credentials", reason: "x", challenge }, NAMES);
    expect(response.status.code).toBe(16);
    expect(response.ok_response).toBeUndefined();
    expect(response.denied_response?.status.code).toBe(401);
    expect(response.denied_response?.headers.map((h) => h.header)).toContainEqual({
      key: "www-authenticate",
      value: 'Basic realm="apps", charset="UTF-8", Bearer realm="apps"',
    });
  });

  it("denies with PERMISSION_DENIED and a 403 whose body names no reason, since Envoy hands it to the client", () => {
    const response = checkResponse({ kind: "forbidden", code: "denied", reason: "user alice may not" }, NAMES);
    expect(response.status.code).toBe(7);
    expect(response.denied_response).toMatchObject({ status: { code: 403 }, body: "Forbidden\n" });
  });

  it("answers a fault with a denied 500, never an error_response that failure_mode_allow would let through", () => {
    const decision: Decision = { kind: "error", code: "fault", reason: "apiserver down" };
    const response = checkResponse(decision, NAMES);
    expect(response.status.code).toBe(13);
    expect(response).not.toHaveProperty("error_response");
    expect(response.denied_response?.status.code).toBe(500);
    expect(FAULT_RESPONSE.denied_response?.status.code).toBe(500);
  });

  it("encodes and decodes through Envoy's CheckResponse message unchanged", () => {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => `${PROTO_ROOT}${target}`;
    const type = root
      .loadSync(AUTHORIZATION_PROTO, { keepCase: true })
      .lookupType("envoy.service.auth.v3.CheckResponse");
    const response = checkResponse({ kind: "unauthenticated", code: "no_credentials", reason: "x", challenge }, NAMES);
    const decoded = type.toObject(type.decode(type.encode(type.fromObject(response)).finish()), { defaults: false });
    expect(decoded).toEqual(response);
  });
});
