/**
 * Imported first by every benchmark: its temporary files, and those of the processes it starts (nginx prefixes, the
 * control plane's certificates, rbac-gate's configurations), go under one folder of its own, removed when it exits.
 * The same setup as the test runs' (test/support/private-tmp.global.ts).
 */
import setup from "../test/support/private-tmp.global.js";

process.once("exit", setup());
