/**
 * A gRPC client of envoy.service.auth.v3.Authorization, from the same .proto files rbac-gate serves: it sends a
 * CheckRequest and reads the CheckResponse back as the HTTP answer Envoy would give (OK is 200 with the
 * ok_response headers for the upstream; otherwise the denied_response's status, headers and body for the client).
 */
import * as grpc from "@grpc/grpc-js";
import { authorizationService } from "../../../src/grpc/server.js";
import type { Reply } from "./http-client.js";

interface HeaderOption {
  header: { key: string; value: string };
  append_action?: string | number;
}
interface HttpAnswer {
  status?: { code: number };
  headers?: HeaderOption[];
  body?: string;
}
interface Response {
  status?: { code?: number };
  ok_response?: HttpAnswer;
  denied_response?: HttpAnswer;
}
type Unary = (request: unknown, callback: (error: Error | null, response: Response) => void) => void;

export interface CheckReply extends Reply {
  /** The CheckResponse's google.rpc.Status code. */
  readonly grpcCode: number;
  /** Each header's append_action, by lower-case name. */
  readonly appendActions: Record<string, string | number | undefined>;
}

export function checkClient(port: number) {
  const Client = grpc.makeGenericClientConstructor(authorizationService(), "Authorization");
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const check = (request: unknown): Promise<CheckReply> =>
    new Promise((resolve, reject) => {
      (client as unknown as { Check: Unary }).Check.call(client, request, (error, response) => {
        if (error) return reject(error);
        const http: HttpAnswer = response.ok_response ?? response.denied_response ?? {};
        const headers: Record<string, string> = {};
        const appendActions: Record<string, string | number | undefined> = {};
        for (const { header, append_action } of http.headers ?? []) {
          headers[header.key.toLowerCase()] = header.value;
          appendActions[header.key.toLowerCase()] = append_action;
        }
        resolve({
          grpcCode: response.status?.code ?? 0,
          status: response.ok_response ? 200 : (http.status?.code ?? 403),
          headers,
          body: http.body ?? "",
          appendActions,
        });
      });
    });
  return { check, close: () => client.close() };
}
