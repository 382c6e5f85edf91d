/**
 * HTTPS for the auth endpoint, with certificate reload: when the certificate or key file changes (cert-manager
 * renewing a mounted Secret), the new pair is loaded into the running server; a pair that does not load (a
 * half-written file, a key that does not match) is refused and the last good one keeps serving.
 */
import { readFileSync } from "node:fs";
import type { RequestListener } from "node:http";
import type { Server } from "node:https";
import { createSecureContext } from "node:tls";
import { describeReadError } from "../config/read-error.js";
import type { Logger } from "../log.js";
import { https } from "../node-http.js";
import { type FileWatch, watchFile } from "../sources/file-watch.js";
import { releaseListenersOnClose } from "./release-on-close.js";
import { AUTH_LISTENER_OPTIONS } from "./server-options.js";

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export function createTlsServer(
  files: TlsFiles,
  handler: RequestListener,
  logger: Logger,
  pollIntervalMs?: number,
): { server: Server; watches: FileWatch[] } {
  let current = read(files);
  try {
    createSecureContext(current);
  } catch (error) {
    throw new TlsFilesError(`listen.tls: the certificate and key do not load: ${(error as Error).message}`);
  }
  const server = https.createServer({ ...AUTH_LISTENER_OPTIONS, cert: current.cert, key: current.key }, handler);
  releaseListenersOnClose(server, "secureConnection");
  const reload = () => {
    let next: { cert: Buffer; key: Buffer };
    try {
      next = read(files);
      if (next.cert.equals(current.cert) && next.key.equals(current.key)) return;
      createSecureContext(next); // throws when the pair does not load or match
    } catch (error) {
      logger.error({ err: (error as Error).message }, "TLS certificate reload refused; the last good one stays");
      return;
    }
    server.setSecureContext(next);
    current = next;
    logger.info({ certFile: files.certFile }, "TLS certificate reloaded");
  };
  const watches = [watchFile(files.certFile, reload, pollIntervalMs), watchFile(files.keyFile, reload, pollIntervalMs)];
  return { server, watches };
}

/** Thrown at start when the certificate or key cannot be read or do not load: the operator's line says which. */
export class TlsFilesError extends Error {}

function read(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const load = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new TlsFilesError(`listen.tls.${what} ${path} cannot be read: ${describeReadError(error)}`);
    }
  };
  return { cert: load("certFile", files.certFile), key: load("keyFile", files.keyFile) };
}
