/**
 * Global setup of the e2e project: builds dist/ (rbac-gate runs as users start it), builds the Go test tools
 * when missing, and starts one control plane that every suite shares (inject("kubeconfig")). The teardown ends
 * every process, even when tests failed.
 */
import type { TestProject } from "vitest/node";
import { buildDist } from "./build-dist.js";
import { type ControlPlane, startControlPlane } from "./control-plane.js";
import { toolsBin } from "./tools.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    apiserver: string;
    toolsBin: string;
  }
}

let plane: ControlPlane | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildDist();
  const started = Date.now();
  const bin = toolsBin();
  process.stderr.write(`e2e: test tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${bin})\n`);
  const t0 = Date.now();
  plane = await startControlPlane();
  process.stderr.write(`e2e: control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${plane.server}\n`);
  project.provide("kubeconfig", plane.kubeconfig);
  project.provide("apiserver", plane.server);
  project.provide("toolsBin", bin);
  return async () => {
    await plane?.stop();
  };
}
