/**
 * The gRPC listener: envoy.service.auth.v3.Authorization/Check over HTTP/2 cleartext (h2c), the protocol Envoy's
 * ext_authz filter speaks to a gRPC service. Plaintext only: it is meant for the Envoy proxies inside the cluster
 * (restrict who reaches it with the chart's NetworkPolicy); listen.tls applies to the HTTP listener.
 *
 * The service definition is loaded at start from proto/ (the .proto files of Envoy's API, see proto/VERSIONS and
 * scripts/refresh-envoy-protos.sh). Each call asks `check()` for the current service, so a configuration reload
 * applies to the next Check as it does to the next HTTP request. cli.ts imports this module only when `grpc:` is
 * configured: the gRPC library and the service definition cost start-up time and memory.
 */
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { Config } from "../config/config.js";
import type { Logger } from "../log.js";
import type { CheckHandler } from "./check-handler.js";
import { type CheckRequest, type CheckResponse, FAULT_RESPONSE } from "./check-mapping.js";

/** proto/ at the package root: two folders up from src/grpc/ and from dist/grpc/ alike. */
export const PROTO_ROOT = fileURLToPath(new URL("../../proto/", import.meta.url));
export const AUTHORIZATION_PROTO = "envoy/service/auth/v3/external_auth.proto";

/** The Authorization service's definition; keepCase so messages have the .proto files' field names. */
export function authorizationService(): grpc.ServiceDefinition {
  const definition = loadSync(AUTHORIZATION_PROTO, {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: Number,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    envoy: { service: { auth: { v3: { Authorization: grpc.ServiceClientConstructor } } } };
  };
  return loaded.envoy.service.auth.v3.Authorization.service;
}

export interface GrpcListener {
  readonly port: number;
  /** Stops accepting; calls already running are answered first (grpc-js tryShutdown). */
  readonly close: () => Promise<void>;
}

/** Serves config.grpc, when there is one; rejects with a message naming the address when it cannot listen. */
export async function startGrpcListener(deps: {
  readonly grpc?: Config["grpc"];
  readonly check: () => CheckHandler;
  readonly logger: Logger;
}): Promise<GrpcListener | undefined> {
  if (!deps.grpc) return undefined;
  const options = { ...deps.grpc, ...deps };
  const server = new grpc.Server();
  server.addService(authorizationService(), {
    Check: (call: grpc.ServerUnaryCall<CheckRequest, CheckResponse>, callback: grpc.sendUnaryData<CheckResponse>) => {
      // The handler answers every failure itself; this is the last guard, and it still denies.
      options
        .check()(call.request)
        .then(
          (response) => callback(null, response),
          () => callback(null, FAULT_RESPONSE),
        );
    },
  });
  const host = options.address.includes(":") ? `[${options.address}]` : options.address;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error
        ? reject(new Error(`cannot serve gRPC ext_authz on ${options.address}:${options.port}: ${error.message}`))
        : resolve(bound),
    ),
  );
  options.logger.info({ address: `${options.address}:${port}` }, "gRPC ext_authz listening");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
