/**
 * Metrics when no metrics listener is configured: nothing could ever read them, so nothing is recorded and
 * prom-client is never loaded. The listener is bound at start (a reload cannot add one), so this holds for the life of
 * the process.
 */
import type { Metrics } from "./metrics.js";

const nothing = () => {};

export const UNSCRAPED: Metrics = Object.freeze({
  decision: nothing,
  cache: nothing,
  apiserverCall: nothing,
  htpasswdUsers: nothing,
  configReload: nothing,
  lockout: nothing,
  passwordCheck: nothing,
  watches: () => nothing,
});
