/**
 * rbac-gate as it runs in a cluster, for end-to-end tests: its own ServiceAccount (bound to system:auth-delegator
 * for TokenReview and SubjectAccessReview, and allowed to list and watch Ingresses, HTTPRoutes, Gateways and Secrets), its token in a
 * kubeconfig, the process itself, an upstream app, and nginx in front as ingress-nginx renders auth-url.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ControlPlane } from "./control-plane.js";
import {
  createClusterRole,
  createClusterRoleBinding,
  createNamespaceNamed,
  createServiceAccount,
  createToken,
  type Kube,
  kubeconfigForToken,
} from "./kube.js";
import { type Nginx, type NginxOptions, startNginx } from "./nginx.js";
import { freePort } from "./ports.js";
import { type RunningGate, startRbacGate } from "./rbac-gate.js";
import { startUpstream, type Upstream } from "./upstream.js";

export interface GateInCluster {
  readonly gate: RunningGate;
  readonly nginx: Nginx;
  readonly upstream: Upstream;
  readonly dir: string;
}

/** Grants rbac-gate's ServiceAccount what it needs, once per control plane. */
export async function createGateServiceAccount(kube: Kube): Promise<void> {
  await createNamespaceNamed(kube, "rbac-gate-system");
  await createServiceAccount(kube, "rbac-gate-system", "rbac-gate");
  const subject = { kind: "ServiceAccount" as const, name: "rbac-gate", namespace: "rbac-gate-system" };
  await createClusterRoleBinding(kube, "rbac-gate-auth-delegator", "system:auth-delegator", [subject]);
  await createClusterRole(kube, "rbac-gate-watch", [
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["secrets"], verbs: ["list", "watch"] },
    { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes", "gateways"], verbs: ["list", "watch"] },
  ]);
  await createClusterRoleBinding(kube, "rbac-gate-watch", "rbac-gate-watch", [subject]);
}

/**
 * Starts rbac-gate with the ServiceAccount's token and the given extra YAML under `kubernetes:` (indented by two
 * spaces), then the upstream and nginx.
 */
export async function startGateInCluster(
  plane: ControlPlane,
  kube: Kube,
  kubernetesYaml = "",
  processEnv: NodeJS.ProcessEnv = {},
  nginxOptions: NginxOptions = {},
): Promise<GateInCluster> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-cluster-e2e-"));
  const token = await createToken(kube, "rbac-gate-system", "rbac-gate", { expirationSeconds: 7200 });
  writeFileSync(join(dir, "kubeconfig"), kubeconfigForToken(plane.server, plane.caData, token));
  writeFileSync(join(dir, "config.yaml"), `logLevel: debug\nkubernetes:\n  kubeconfig: kubeconfig\n${kubernetesYaml}`);
  const gate = await startRbacGate(["--config", join(dir, "config.yaml")], processEnv);
  const upstream = await startUpstream(await freePort());
  const nginx = await startNginx(gate.address, `127.0.0.1:${upstream.port}`, nginxOptions);
  return { gate, nginx, upstream, dir };
}
