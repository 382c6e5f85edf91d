/**
 * Direct load on rbac-gate's gRPC listener and its HTTP /ext-authz endpoint with one tool, nghttp2's h2load
 * (Debian package nghttp2-client): the same closed loop over HTTP/2 (gRPC, as Envoy calls Check) and HTTP/1.1.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { authorizationService } from "../src/grpc/server.js";

const execFileAsync = promisify(execFile);

export interface H2Throughput {
  readonly rps: number;
  readonly failed: number;
}

/** The CheckRequest Envoy sends for GET host/ with this Authorization. */
export const checkRequest = (host: string, authorization: string) => ({
  attributes: {
    source: { address: { socket_address: { address: "127.0.0.1", port_value: 40000 } } },
    request: { http: { method: "GET", host, path: "/", headers: { authorization } } },
  },
});

/** A CheckRequest as a framed gRPC message (uncompressed flag, length, bytes) in a file of `dir`, for h2load -d. */
export function checkRequestBody(dir: string, request: object): string {
  const check = authorizationService().Check as { requestSerialize: (value: object) => Buffer };
  const message = check.requestSerialize(request);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  const file = join(dir, "check-request.bin");
  writeFileSync(file, frame);
  return file;
}

async function h2load(args: readonly string[]): Promise<H2Throughput> {
  const { stdout } = await execFileAsync("h2load", args, { encoding: "utf8" });
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? Number.NaN);
  const failed = Number(
    /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed/.exec(stdout)?.[1] ?? 0,
  );
  return { rps, failed };
}

/** gRPC Check over HTTP/2: `connections` connections with `streams` concurrent streams each, as Envoy pools them. */
export const grpcCheck = (port: number, seconds: number, connections: number, streams: number, body: string) =>
  h2load([
    ...["-c", String(connections), "-m", String(streams), "-D", String(seconds), "-d", body],
    ...["-H", "content-type: application/grpc", "-H", "te: trailers"],
    `http://127.0.0.1:${port}/envoy.service.auth.v3.Authorization/Check`,
  ]);

/** HTTP/1.1 GET /ext-authz/ with keepalive, `connections` connections. */
export const extAuthz = (port: number, seconds: number, connections: number, authorization: string) =>
  h2load([
    ...["--h1", "-c", String(connections), "-D", String(seconds)],
    ...["-H", `authorization: ${authorization}`],
    `http://127.0.0.1:${port}/ext-authz/`,
  ]);
