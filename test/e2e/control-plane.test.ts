/**
 * The real control plane the Kubernetes tests stand on, checked with the seed's walkthrough before rbac-gate is
 * involved: what a cluster admin would see with kubectl.
 */
import { execFileSync } from "node:child_process";
import { VersionApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startControlPlane } from "./support/control-plane.js";
import {
  canI,
  connect,
  createRole,
  createRoleBinding,
  createServiceAccount,
  createToken,
  HELLO_APP_PROXY_QUESTION,
  type Kube,
  reviewToken,
  waitForAccess,
} from "./support/kube.js";
import { stopAll } from "./support/processes.js";
import { tool } from "./support/tools.js";

let kube: Kube;
beforeAll(() => {
  kube = connect(inject("kubeconfig"));
});
afterAll(stopAll);

describe("As a cluster admin following the seed's walkthrough", () => {
  const consumer = "system:serviceaccount:default:consumer";
  const question = HELLO_APP_PROXY_QUESTION;

  it("the apiserver reports the pinned version (built with the version ldflags)", async () => {
    const version = await kube.config.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe("v1.36.3");
  });

  it("consumer is denied get services/proxy hello-app until the Role and RoleBinding exist, then allowed", async () => {
    await createServiceAccount(kube, "default", "consumer");
    expect(await canI(kube, question)).toMatchObject({ allowed: false });

    await createRole(kube, "default", "hello-app-proxy", [
      { apiGroups: [""], resources: ["services/proxy"], resourceNames: ["hello-app"], verbs: ["get"] },
    ]);
    await createRoleBinding(kube, "default", "hello-app-consumer", { kind: "Role", name: "hello-app-proxy" }, [
      { kind: "ServiceAccount", name: "consumer", namespace: "default" },
    ]);
    await waitForAccess(kube, question);
    expect(await canI(kube, question)).toMatchObject({ allowed: true });
    expect(
      await canI(kube, { ...question, resourceAttributes: { ...question.resourceAttributes, verb: "create" } }),
    ).toMatchObject({ allowed: false });
  });

  it("a TokenReview of consumer's minted token returns its ServiceAccount identity", async () => {
    const token = await createToken(kube, "default", "consumer");
    const status = await reviewToken(kube, token);
    expect(status.authenticated).toBe(true);
    expect(status.user?.username).toBe(consumer);
    expect(status.user?.groups).toEqual(
      expect.arrayContaining(["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]),
    );
  });

  it("a garbage token is not authenticated", async () => {
    const status = await reviewToken(kube, "garbage.token.value");
    expect(status.authenticated).not.toBe(true);
  });

  it("a token minted for another audience is not authenticated for the default audience", async () => {
    const token = await createToken(kube, "default", "consumer", { audiences: ["other-audience"] });
    expect((await reviewToken(kube, token)).authenticated).not.toBe(true);
    expect((await reviewToken(kube, token, ["other-audience"])).authenticated).toBe(true);
  });
});

describe("The harness", () => {
  it("leaves no process behind when a control plane stops", async () => {
    const plane = await startControlPlane();
    const pids = [plane.processes.etcd.child.pid, plane.processes.apiserver.child.pid] as number[];
    expect(pids.every((pid) => alive(pid))).toBe(true);
    await plane.stop();
    expect(pids.filter((pid) => alive(pid))).toEqual([]);
  }, 120_000);

  it("runs the built helm and kubeconform", () => {
    expect(execFileSync(tool("helm"), ["version", "--short"], { encoding: "utf8" })).toMatch(/^v3\.22\.0/);
    expect(execFileSync(tool("kubeconform"), ["-v"], { encoding: "utf8" }).trim()).toBe("v0.7.0");
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
