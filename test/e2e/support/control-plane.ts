/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver (RBAC authorizer, ServiceAccount token
 * issuer) on loopback ports chosen at run time, everything in one temporary folder. No kube-controller-manager:
 * namespaces get no default ServiceAccount and the aggregated admin/edit/view roles are empty, so tests create
 * what they use.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.js";
import { type Started, start } from "./processes.js";
import { tool } from "./tools.js";

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig file for the admin user (group system:masters). */
  readonly kubeconfig: string;
  readonly adminToken: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  readonly caData: string;
  /** The ServiceAccount token issuer, also the default API audience. */
  readonly issuer: string;
  readonly dir: string;
  readonly processes: { readonly etcd: Started; readonly apiserver: Started };
  stop(): Promise<void>;
}

export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/**
 * @param options.apiserverArgs flags added to kube-apiserver's (e.g. --authentication-config=FILE); none by default
 */
export async function startControlPlane(
  options: { readyTimeoutMs?: number; apiserverArgs?: readonly string[] } = {},
): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-cluster-"));
  const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];

  const etcd = start(tool("etcd"), [
    "--name=test",
    `--data-dir=${join(dir, "etcd")}`,
    "--unsafe-no-fsync",
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
    "--log-level=warn",
  ]);

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saKey = join(dir, "sa.key");
  writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }));
  const adminToken = randomBytes(24).toString("hex");
  const tokens = join(dir, "tokens.csv");
  writeFileSync(tokens, `${adminToken},admin,admin-uid,system:masters\n`);
  const certDir = join(dir, "pki");
  mkdirSync(certDir);

  const apiserver = start(tool("kube-apiserver"), [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${apiPort}`,
    `--cert-dir=${certDir}`,
    `--token-auth-file=${tokens}`,
    "--authorization-mode=RBAC",
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${saKey}`,
    `--service-account-signing-key-file=${saKey}`,
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    "--disable-admission-plugins=ServiceAccount",
    ...(options.apiserverArgs ?? []),
  ]);

  const stop = async () => {
    await apiserver.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  const server = `https://127.0.0.1:${apiPort}`;
  try {
    await waitReady(server, adminToken, options.readyTimeoutMs ?? 60_000, apiserver, etcd);
  } catch (error) {
    await stop();
    throw error;
  }
  // With only --cert-dir the apiserver makes its own CA and serving certificate; the bundle carries both.
  const caData = readFileSync(join(certDir, "apiserver.crt"), "utf8");
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigYaml(server, caData, adminToken));
  return {
    server,
    kubeconfig,
    adminToken,
    caData,
    issuer: SERVICE_ACCOUNT_ISSUER,
    dir,
    processes: { etcd, apiserver },
    stop,
  };
}

function kubeconfigYaml(server: string, caData: string, token: string): string {
  const ca = Buffer.from(caData).toString("base64");
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    certificate-authority-data: ${ca}
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`;
}

/** Polls /readyz (every post-start hook done, RBAC bootstrap roles included). */
async function waitReady(server: string, token: string, timeoutMs: number, ...procs: Started[]): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const p of procs) {
      if (p.child.exitCode !== null) throw new Error(`control plane process exited early:\n${p.output().slice(-4000)}`);
    }
    const status = await new Promise<number>((resolve) => {
      const req = request(
        `${server}/readyz`,
        { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", () => resolve(0));
      req.on("timeout", () => req.destroy());
      req.end();
    });
    if (status === 200) return;
    if (Date.now() > end) {
      throw new Error(`kube-apiserver not ready within ${timeoutMs} ms:\n${procs[0]?.output().slice(-4000) ?? ""}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
