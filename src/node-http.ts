/**
 * node:http and node:https, loaded with require: the one place rbac-gate's code takes them from (the health
 * listener's self-contained worker does the same on its own).
 *
 * Why not `import`: an ESM import of either makes Node build the module's ESM facade, which reads every export,
 * including node:http's lazy getters for WebSocket, CloseEvent and MessageEvent. That loads and runs all of undici,
 * which rbac-gate never uses: about 3 MB more peak memory, and a larger heap that every full garbage collection
 * marks again (docs/performance.md). In cluster mode @kubernetes/client-node imports node:http itself, and undici
 * loads anyway.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const http: typeof import("node:http") = require("node:http");
export const https: typeof import("node:https") = require("node:https");
