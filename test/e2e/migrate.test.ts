/**
 * `rbac-gate migrate` against a real apiserver: the migration guide's Ingress (ingress-nginx basic auth with the
 * Secret basic-auth) is read from the cluster, the output is applied, and the Secret's user then passes through
 * nginx as before: every method, and nobody else.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Ingress, V1Role, V1RoleBinding } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { basic, send } from "./support/http-client.js";
import { connect, createNamespaceNamed, type Kube, putSecret, waitForAccess } from "./support/kube.js";
import { stopAll } from "./support/processes.js";
import { MAIN } from "./support/rbac-gate.js";

// Made with: htpasswd -nbB -C 5 alice alice-pw
const ALICE = "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n";
const HOST = "my-app.example.test";
const AUTH_URL = "http://rbac-gate.rbac-gate.svc.cluster.local:8080/auth?host=$host";

/** An Ingress of team-a as ingress-nginx basic auth wants it (docs/migration.md, "Before"). */
function ingress(name: string, host: string, annotations: Record<string, string>): V1Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: "team-a", annotations },
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          host,
          http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }] },
        },
      ],
    },
  };
}
const GUIDE = ingress("my-app", HOST, {
  "nginx.ingress.kubernetes.io/auth-type": "basic",
  "nginx.ingress.kubernetes.io/auth-secret": "basic-auth",
  "nginx.ingress.kubernetes.io/auth-secret-type": "auth-file",
  "nginx.ingress.kubernetes.io/auth-realm": "Authentication Required",
});
const ELSEWHERE = ingress("shared-secret", "shared.example.test", {
  "nginx.ingress.kubernetes.io/auth-type": "basic",
  "nginx.ingress.kubernetes.io/auth-secret": "infra/basic-auth",
});
const OPEN = ingress("public", "public.example.test", {});

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;

const migrate = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, "migrate", ...args], {
    encoding: "utf8",
    env: { ...process.env, KUBECONFIG: "" },
  });
const asAlice = (password: string, method = "GET") =>
  send(env.nginx.plainPort, "/", { method, headers: { Host: HOST, Authorization: basic("alice", password) } });

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await createGateServiceAccount(kube);
  await createNamespaceNamed(kube, "team-a");
  await putSecret(kube, "team-a", "basic-auth", { auth: ALICE });
  for (const body of [GUIDE, ELSEWHERE, OPEN])
    await kube.networking.createNamespacedIngress({ namespace: "team-a", body });
  // nginx as ingress-nginx renders the migrated Ingress's auth-response-headers, Authorization included.
  env = await startGateInCluster(plane, kube, "", {}, { extraResponseHeaders: ["Authorization"] });
});

afterAll(async () => {
  await env?.upstream.close();
  await stopAll();
});

describe("As an app team moving from ingress-nginx basic auth", () => {
  it("--diff shows each change and prints nothing to apply; an Ingress it cannot convert is named, exit 1", () => {
    const r = migrate("--kubeconfig", plane.kubeconfig, "-n", "team-a", "--diff");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("-  nginx.ingress.kubernetes.io/auth-type: basic");
    expect(r.stdout).toContain(`+  nginx.ingress.kubernetes.io/auth-url: ${AUTH_URL}`);
    expect(r.stdout).not.toContain("apiVersion");
    expect(r.stderr).toContain("converted: Ingress team-a/my-app (Secret basic-auth, auth-file; Services my-app)");
    expect(r.stderr).toContain("not converted: Ingress team-a/shared-secret: auth-secret names infra/basic-auth");
    expect(r.stderr).toContain("3 Ingresses read, 1 without ingress-nginx basic auth left out, 1 not converted");
  });

  it("reads the same from files as from the cluster", () => {
    const dir = mkdtempSync(join(tmpdir(), "migrate-"));
    writeFileSync(join(dir, "ingresses.yaml"), [GUIDE, OPEN].map((o) => stringify(o)).join("---\n"));
    const fromFiles = migrate("-f", dir);
    const fromCluster = migrate("--kubeconfig", plane.kubeconfig, "-n", "team-a");
    expect(fromFiles.status).toBe(0);
    const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS());
    expect(docs(fromFiles.stdout)).toEqual(docs(fromCluster.stdout));
  });

  it("applied, its output lets the Secret's users in through nginx with every method, and nobody else", async () => {
    // Before: rbac-gate sees the Ingress without its annotations: bearer tokens only, so alice's password fails.
    expect((await asAlice("alice-pw")).status).toBe(401);

    const r = migrate("--kubeconfig", plane.kubeconfig, "-n", "team-a");
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Ingress/my-app",
      "Role/rbac-gate-users-my-app",
      "RoleBinding/rbac-gate-users-my-app",
    ]);
    for (const o of objects) {
      const namespace = "team-a";
      if (o.kind === "Ingress") {
        await kube.networking.replaceNamespacedIngress({ name: o.metadata.name, namespace, body: o as V1Ingress });
      } else if (o.kind === "Role") {
        await kube.rbac.createNamespacedRole({ namespace, body: o as V1Role });
      } else {
        await kube.rbac.createNamespacedRoleBinding({ namespace, body: o as V1RoleBinding });
      }
    }
    await waitForAccess(kube, {
      user: "htpasswd:team-a:alice",
      groups: ["htpasswd:team-a"],
      resourceAttributes: {
        namespace: "team-a",
        verb: "delete",
        resource: "services",
        subresource: "proxy",
        name: "my-app",
      },
    });

    const until = async (status: number) => {
      const end = Date.now() + 15_000;
      let reply = await asAlice("alice-pw");
      while (reply.status !== status && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        reply = await asAlice("alice-pw");
      }
      return reply;
    };
    expect((await until(200)).status).toBe(200);
    expect(env.upstream.seen.at(-1)?.headers["x-auth-request-user"]).toBe("htpasswd:team-a:alice");
    // As with ingress-nginx's own basic auth, the app never receives the password.
    expect(env.upstream.seen.at(-1)?.headers.authorization).toBeUndefined();
    for (const method of ["POST", "PUT", "PATCH", "DELETE"])
      expect((await asAlice("alice-pw", method)).status).toBe(200);
    const wrong = await asAlice("wrong");
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toContain('realm="Authentication Required"');
    expect((await send(env.nginx.plainPort, "/", { headers: { Host: HOST } })).status).toBe(401);
  });
});
