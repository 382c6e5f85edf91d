/**
 * The Helm chart as a platform admin meets it: it lints and renders for every values file, renders manifests the
 * real apiserver's schemas accept, refuses mistyped values, installs into a real apiserver, and its RBAC is both
 * sufficient (the seed's walkthrough passes with the chart's own ServiceAccount and configuration) and minimal.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { generateSchema } from "../../scripts/chart-schema.js";
import { readAuthenticationConfig } from "../../src/authn/jwt/authentication-config.js";
import { readCaBundle } from "../../src/sources/ca-bundle.js";
import { basic, send } from "../e2e/support/http-client.js";
import {
  canI,
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createNamespaceNamed,
  createServiceAccount,
  createToken,
  grantHelloAppProxy,
  type Kube,
  kubeconfigForToken,
  putSecret,
  waitForAccess,
} from "../e2e/support/kube.js";
import { type Nginx, startNginx } from "../e2e/support/nginx.js";
import { freePort } from "../e2e/support/ports.js";
import { stopAll } from "../e2e/support/processes.js";
import { MAIN, type RunningGate, startRbacGate } from "../e2e/support/rbac-gate.js";
import { tool } from "../e2e/support/tools.js";
import { startUpstream, type Upstream } from "../e2e/support/upstream.js";
import { certificateFolder, makeCa } from "../support/certificates.js";
import { writeSchemas } from "./openapi-schemas.js";

const CHART = fileURLToPath(new URL("../../charts/rbac-gate", import.meta.url));
const CI_VALUES = readdirSync(join(CHART, "ci")).map((f) => join(CHART, "ci", f));
/** The configuration file the chart's ConfigMap holds, parsed. */
function renderedConfig(args: string[]): Record<string, unknown> {
  const out = helm(["template", "rbac-gate", CHART, ...args, "--show-only", "templates/configmap.yaml"]);
  if (out.status !== 0) throw new Error(out.stderr);
  const configMap = parse(out.stdout) as { data: Record<string, string> };
  return parse(configMap.data["config.yaml"] ?? "") as Record<string, unknown>;
}

// Helm's cache, configuration and data of this run only: the user's own (~/.cache/helm, …) are never touched.
const HELM_HOME = mkdtempSync(join(tmpdir(), "chart-helm-home-"));
const HELM_ENV = {
  ...process.env,
  HELM_CACHE_HOME: join(HELM_HOME, "cache"),
  HELM_CONFIG_HOME: join(HELM_HOME, "config"),
  HELM_DATA_HOME: join(HELM_HOME, "data"),
};
const helm = (args: string[], kubeconfig?: string) =>
  spawnSync(tool("helm"), [...args, ...(kubeconfig ? ["--kubeconfig", kubeconfig] : [])], {
    encoding: "utf8",
    env: HELM_ENV,
  });
const valueSets: Array<[string, string[]]> = [
  ["default values", []],
  ...CI_VALUES.map((f): [string, string[]] => [`ci/${f.split("/").pop()}`, ["-f", f]]),
];

afterAll(stopAll);

describe("As a platform admin reading the chart", () => {
  it("has a values.schema.json generated from values.yaml (npm run chart:schema)", async () => {
    const generated = generateSchema(readFileSync(join(CHART, "values.yaml"), "utf8"));
    expect(JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8"))).toEqual(generated);
  });

  it.each(valueSets)("helm lint passes with %s", (_name, args) => {
    const result = helm(["lint", CHART, "--strict", ...args]);
    expect(result.stdout + result.stderr).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(result.status).toBe(0);
  });

  describe("rendered manifests against the real apiserver's schemas", () => {
    let location: string;
    beforeAll(async () => {
      location = await writeSchemas(connect(inject("kubeconfig")).config, mkdtempSync(join(tmpdir(), "schemas-")));
    });

    it.each(valueSets)("every manifest rendered with %s validates with kubeconform -strict", (_name, args) => {
      const rendered = helm(["template", "rbac-gate", CHART, "-n", "rbac-gate", ...args]);
      expect(rendered.status).toBe(0);
      const file = join(mkdtempSync(join(tmpdir(), "rendered-")), "all.yaml");
      writeFileSync(file, rendered.stdout);
      // ServiceMonitor and PrometheusRule are Prometheus Operator CRDs, which this apiserver's schemas may lack:
      // they are skipped here, and validated against the operator's CRDs in monitoring.test.ts.
      const result = spawnSync(
        tool("kubeconform"),
        ["-strict", "-summary", "-skip", "ServiceMonitor,PrometheusRule", "-schema-location", location, file],
        { encoding: "utf8" },
      );
      expect(result.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: [0-2]/);
      expect(result.status).toBe(0);
    });

    it("the schemas themselves reject what the apiserver would reject", () => {
      const file = join(mkdtempSync(join(tmpdir(), "bad-")), "bad.yaml");
      writeFileSync(file, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n");
      const result = spawnSync(tool("kubeconform"), ["-strict", "-schema-location", location, file], {
        encoding: "utf8",
      });
      expect(result.status).not.toBe(0);
    });
  });

  it.each([
    ["replicaCount=two", "at '/replicaCount': got string, want integer"],
    ["service.port=0", "at '/service/port': minimum"],
    ["rbac.secrets.scope=everything", "at '/rbac/secrets/scope'"],
    ["rbac.secrets.namespaces[0]=Team_A", "at '/rbac/secrets/namespaces/0'"],
    ["config.kubernetes.cache.denyTtl=30 seconds", "at '/config/kubernetes/cache/denyTtl'"],
    ["config.logLevel=verbose", "at '/config/logLevel'"],
    ["podDisruptionBudget.enable=true", "additional properties 'enable' not allowed"],
    ["config.kubernetes.hostOwnership=first", "value must be one of"],
    ["config.kubernetes.ingressClassName=", "at '/config/kubernetes/ingressClassName': '' does not match pattern"],
  ])("refuses the mistyped value %s", (set, message) => {
    const result = helm(["template", "rbac-gate", CHART, "--set", set]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it("serves HTTPS from a TLS Secret: the file paths in the configuration, the Secret mounted, helm test in https", () => {
    const result = helm(["template", "rbac-gate", CHART, "--set", "tls.secretName=gate-tls"]);
    expect(result.status).toBe(0);
    expect((renderedConfig(["--set", "tls.secretName=gate-tls"]).listen as { tls: unknown }).tls).toEqual({
      certFile: "/etc/rbac-gate/tls/tls.crt",
      keyFile: "/etc/rbac-gate/tls/tls.key",
    });
    expect(result.stdout).toContain("secretName: gate-tls");
    expect(result.stdout).toContain('const base = "https://rbac-gate.default.svc:8080"');
  });

  it("accepts durations in Go's compound form, as the configuration does (config.kubernetes.cache.denyTtl=1m30s)", () => {
    const result = helm(["template", "rbac-gate", CHART, "--set", "config.kubernetes.cache.denyTtl=1m30s"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("denyTtl: 1m30s");
  });

  it.each([
    [
      ["--set", "rbac.secrets.scope=cluster", "--set", "rbac.secrets.namespaces={team-a}"],
      'rbac.secrets.scope is "cluster"',
    ],
    [
      ["--set", "autoscaling.enabled=true", "--set", "autoscaling.minReplicas=5", "--set", "autoscaling.maxReplicas=3"],
      "minReplicas is greater",
    ],
    [["--set", "replicaCount=1"], "podDisruptionBudget.maxUnavailable must be below replicaCount"],
    [
      ["--set", "config.kubernetes.httpRoutes=true"],
      "config.kubernetes.gateways must name the Gateways rbac-gate fronts",
    ],
  ])("fails on contradictory values %j", (args, message) => {
    const result = helm(["template", "rbac-gate", CHART, ...args]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it("works as a subchart: a parent chart's global values and its values for rbac-gate pass the schema and render", () => {
    const parent = mkdtempSync(join(tmpdir(), "chart-parent-"));
    writeFileSync(
      join(parent, "Chart.yaml"),
      `apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: rbac-gate\n    version: 0.1.0\n    repository: file://${CHART}\n`,
    );
    writeFileSync(
      join(parent, "values.yaml"),
      "global:\n  imageRegistry: registry.example.com\n  storageClass: fast\nrbac-gate:\n  config:\n    kubernetes:\n      ingressClassName: internal\n",
    );
    const build = helm(["dependency", "build", parent]);
    expect(build.status).toBe(0);
    const lint = helm(["lint", parent]);
    expect([lint.status, lint.stdout]).toEqual([0, expect.stringContaining("1 chart(s) linted, 0 chart(s) failed")]);
    const out = helm(["template", "platform", parent]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("name: platform-rbac-gate");
    expect(out.stdout).toContain("ingressClassName: internal");
  });

  it("has an icon that exists in the repository, as Artifact Hub shows it", () => {
    const chart = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { icon: string };
    const prefix = "https://raw.githubusercontent.com/rbac-gate/rbac-gate/main/";
    expect(chart.icon.startsWith(prefix)).toBe(true);
    const icon = readFileSync(join(CHART, "../..", chart.icon.slice(prefix.length)), "utf8");
    expect(icon).toMatch(/^<svg [^>]*viewBox="0 0 128 128"/);
  });

  it("renders secure pod defaults: non-root, read-only root, no capabilities, RuntimeDefault seccomp", () => {
    const out = helm(["template", "rbac-gate", CHART, "--show-only", "templates/deployment.yaml"]).stdout;
    for (const line of [
      "runAsNonRoot: true",
      "readOnlyRootFilesystem: true",
      "allowPrivilegeEscalation: false",
      "- ALL",
      "type: RuntimeDefault",
      // The heap as the benchmarks measure it (bench/chart-node-options.ts reads the same values).
      'value: "--max-old-space-size=96 --max-semi-space-size=2"',
      '- name: MALLOC_ARENA_MAX\n              value: "2"',
    ]) {
      expect(out).toContain(line);
    }
  });

  it("gives libuv's thread pool two threads beyond the hash workers, at least its default four", () => {
    for (const [workers, threads] of [
      [undefined, "4"],
      ["2", "4"],
      ["6", "8"],
    ] as const) {
      const set = workers ? ["--set", `config.htpasswd.hashing.workers=${workers}`] : [];
      const out = helm(["template", "rbac-gate", CHART, "--show-only", "templates/deployment.yaml", ...set]).stdout;
      expect(out).toContain(`- name: UV_THREADPOOL_SIZE\n              value: "${threads}"`);
    }
  });

  it("probes the health port, answered by its own thread in plain HTTP whatever /auth speaks", () => {
    for (const args of [[], ["--set", "tls.secretName=gate-tls", "--set", "health.port=9443"]]) {
      const out = helm(["template", "rbac-gate", CHART, ...args]).stdout;
      const port = args.length ? 9443 : 8081;
      expect(out).toMatch(new RegExp(`- name: health\\n\\s+containerPort: ${port}`));
      expect(out).toMatch(/livenessProbe:\n\s+httpGet:\n\s+path: \/healthz\n\s+port: health\n/);
      expect(out).toMatch(/readinessProbe:\n\s+httpGet:\n\s+path: \/readyz\n\s+port: health\n/);
      expect(out).toContain(`health:\n      address: 0.0.0.0\n      port: ${port}\n      staleAfter: 5s`);
      expect(out).not.toContain("scheme: HTTPS");
    }
  });

  it("writes config into the ConfigMap key for key, under the same names as the configuration file", () => {
    const values = parse(readFileSync(join(CHART, "values.yaml"), "utf8")) as { config: Record<string, unknown> };
    const rendered = renderedConfig([]);
    const leaves = (node: unknown, path: string[] = []): Array<[string[], unknown]> =>
      node !== null && typeof node === "object" && !Array.isArray(node)
        ? Object.entries(node).flatMap(([k, v]) => leaves(v, [...path, k]))
        : [[path, node]];
    const at = (node: unknown, path: string[]) =>
      path.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], node);
    // regulation.redis is left out while its URL is empty (no Redis): every other value is there, name and value.
    const written = leaves(values.config).filter(([path]) => !path.join(".").startsWith("regulation.redis."));
    expect(written.length).toBeGreaterThan(40);
    for (const [path, value] of written) expect([path.join("."), at(rendered, path)]).toEqual([path.join("."), value]);
  });

  it("mounts htpasswdFiles from their Secrets, loads them as htpasswd.files, and rbac-gate accepts the result", () => {
    const args = ["-f", join(CHART, "ci/extras-values.yaml"), "--set", "existingConfigMap="];
    const rendered = renderedConfig(args) as { htpasswd: { files: unknown[] }; routes: unknown[] };
    expect(rendered.htpasswd.files).toEqual([
      { name: "ops", path: "/etc/rbac-gate/htpasswd/ops/auth", groups: ["ops"] },
      { name: "partners", path: "/etc/rbac-gate/htpasswd/partners/htpasswd", usernamePrefix: "partner:" },
    ]);
    expect(rendered.routes).toEqual([{ host: "grafana.example.com", htpasswd: "ops", allow: { authenticated: true } }]);
    const deployment = helm([
      "template",
      "rbac-gate",
      CHART,
      ...args,
      "--show-only",
      "templates/deployment.yaml",
    ]).stdout;
    expect(deployment).toMatch(
      /- name: htpasswd-ops\n\s+mountPath: \/etc\/rbac-gate\/htpasswd\/ops\n\s+readOnly: true/,
    );
    expect(deployment).toMatch(
      /- name: htpasswd-partners\n\s+secret:\n\s+secretName: partner-users\n\s+items:\n\s+- key: htpasswd\n\s+path: htpasswd/,
    );
    // rbac-gate's own validation of the rendered file, every default and ci values file included.
    for (const file of [...CI_VALUES.map((f) => ["-f", f, "--set", "existingConfigMap="]), []]) {
      const dir = mkdtempSync(join(tmpdir(), "chart-config-"));
      writeFileSync(join(dir, "config.yaml"), stringify(renderedConfig(file)));
      const check = spawnSync(process.execPath, [MAIN, "check-config", join(dir, "config.yaml")], { encoding: "utf8" });
      expect([file, check.stderr, check.status]).toEqual([file, "", 0]);
    }
  });

  it("writes authenticationConfig and clientCertificateCA beside the configuration, which names them, and rbac-gate accepts both", async () => {
    const ca = makeCa(certificateFolder(), "clients");
    const dir = mkdtempSync(join(tmpdir(), "chart-identities-"));
    const values = join(dir, "values.yaml");
    writeFileSync(
      values,
      stringify({
        authenticationConfig: {
          apiVersion: "apiserver.config.k8s.io/v1",
          kind: "AuthenticationConfiguration",
          jwt: [
            {
              issuer: { url: "https://issuer.example.com", audiences: ["rbac-gate"] },
              claimMappings: {
                username: { claim: "sub", prefix: "oidc:" },
                groups: { claim: "groups", prefix: "oidc:" },
              },
            },
          ],
        },
        clientCertificateCA: ca.pem,
      }),
    );
    const out = helm(["template", "rbac-gate", CHART, "-f", values, "--show-only", "templates/configmap.yaml"]);
    expect(out.stderr).toBe("");
    const data = (parse(out.stdout) as { data: Record<string, string> }).data;
    const config = parse(data["config.yaml"] ?? "") as {
      kubernetes: Record<string, unknown>;
      clientCertificates: unknown;
    };
    expect(config.kubernetes.authenticationConfig).toBe("/etc/rbac-gate/authentication-config.yaml");
    expect(config.clientCertificates).toEqual({ caFile: "/etc/rbac-gate/client-ca.pem" });
    expect(parse(data["authentication-config.yaml"] ?? "")).toMatchObject({ kind: "AuthenticationConfiguration" });
    expect(data["client-ca.pem"]?.trim()).toBe(ca.pem.trim());
    // The files as the pod mounts them, and rbac-gate's own validation of the configuration that names them.
    for (const name of ["authentication-config.yaml", "client-ca.pem"])
      writeFileSync(join(dir, name), data[name] ?? "");
    const local = (data["config.yaml"] ?? "").replaceAll("/etc/rbac-gate/", `${dir}/`);
    writeFileSync(join(dir, "config.yaml"), local);
    const check = spawnSync(process.execPath, [MAIN, "check-config", join(dir, "config.yaml")], { encoding: "utf8" });
    expect([check.stderr, check.status]).toEqual(["", 0]);
    // The two files as rbac-gate reads them when it builds the service.
    expect(readAuthenticationConfig(parse(data["authentication-config.yaml"] ?? "")).ok).toBe(true);
    const bundle = await readCaBundle(join(dir, "client-ca.pem"));
    expect([bundle.problems, bundle.authorities.length]).toEqual([[], 1]);
  });

  it("refuses two htpasswdFiles of one name", () => {
    const result = helm([
      "template",
      "rbac-gate",
      CHART,
      "--set",
      "htpasswdFiles[0].name=a",
      "--set",
      "htpasswdFiles[0].secretName=s",
      "--set",
      "htpasswdFiles[1].name=a",
      "--set",
      "htpasswdFiles[1].secretName=t",
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('htpasswdFiles names "a" twice');
  });

  it("serves gRPC ext_authz on its own port when enabled: configuration, pod, Service (appProtocol grpc) and NetworkPolicy", () => {
    expect(renderedConfig([]).grpc).toBeUndefined();
    const args = [
      "--set",
      "grpc.enabled=true",
      "--set",
      "networkPolicy.enabled=true",
      "--set",
      "networkPolicy.controllerPodSelector.app=envoy",
    ];
    expect(renderedConfig(args).grpc).toEqual({ address: "0.0.0.0", port: 9001 });
    const out = helm(["template", "rbac-gate", CHART, ...args]).stdout;
    expect(out).toMatch(/- name: grpc\n\s+containerPort: 9001/);
    expect(out).toMatch(/- name: grpc\n\s+port: 9001\n\s+targetPort: grpc\n\s+protocol: TCP\n\s+appProtocol: grpc/);
    expect(out).toMatch(/- port: http\n\s+protocol: TCP\n\s+- port: grpc/);
    const clash = helm(["template", "rbac-gate", CHART, "--set", "grpc.enabled=true", "--set", "grpc.port=8081"]);
    expect(clash.stderr).toContain("grpc.port must differ");
  });

  it("renders the ServiceMonitor against the metrics port, and the metrics port on pod and Service", () => {
    const out = helm(["template", "rbac-gate", CHART, "-f", join(CHART, "ci/monitoring-values.yaml")]).stdout;
    expect(out).toContain("kind: ServiceMonitor");
    expect(out).toMatch(/endpoints:\n\s+- port: metrics\n\s+path: \/metrics\n\s+interval: 30s/);
    expect(out).toMatch(/- name: metrics\n\s+containerPort: 9090/);
    expect(out).toMatch(/- name: metrics\n\s+port: 9090\n\s+targetPort: metrics/);
    expect(out).toMatch(/metrics:\n\s+address: 0\.0\.0\.0\n\s+port: 9090/);
  });

  it("renders Secret access only for the listed namespaces, and cluster-wide only when chosen", () => {
    const scoped = helm(["template", "rbac-gate", CHART, "-f", join(CHART, "ci/default-values.yaml")]).stdout;
    expect(scoped.match(/^kind: Role$/gm)).toHaveLength(2);
    expect(scoped.match(/^ {2}namespace: team-[ab]$/gm)).toHaveLength(4);
    expect(scoped).not.toMatch(/^kind: ClusterRole\nmetadata:\n {2}name: rbac-gate-htpasswd-secret-reader/m);
    const none = helm(["template", "rbac-gate", CHART]).stdout;
    expect(none).not.toMatch(/resources: \[secrets\]/);
    const cluster = helm(["template", "rbac-gate", CHART, "--set", "rbac.secrets.scope=cluster"]).stdout;
    expect(cluster).toMatch(/kind: ClusterRole\nmetadata:\n {2}name: rbac-gate-htpasswd-secret-reader/);
  });
});

describe("As a platform admin installing the chart into a real cluster", () => {
  let kube: Kube;
  let gate: RunningGate;
  let upstream: Upstream;
  let nginx: Nginx;
  let notes: string;

  beforeAll(async () => {
    const kubeconfig = inject("kubeconfig");
    kube = connect(kubeconfig);
    await createNamespaceNamed(kube, "team-a");
    const install = helm(
      [
        "install",
        "rbac-gate",
        CHART,
        "-n",
        "rbac-gate",
        "--create-namespace",
        "--set",
        "rbac.secrets.namespaces={team-a}",
      ],
      kubeconfig,
    );
    if (install.status !== 0) throw new Error(install.stderr);
    notes = install.stdout;

    // rbac-gate as the chart deploys it: the chart's ServiceAccount (token by TokenRequest, as a pod gets it),
    // the chart's rendered configuration read back from the cluster, its RBAC and nothing else.
    const configMap = await kube.core.readNamespacedConfigMap({ name: "rbac-gate", namespace: "rbac-gate" });
    const dir = mkdtempSync(join(tmpdir(), "chart-gate-"));
    writeFileSync(join(dir, "config.yaml"), configMap.data?.["config.yaml"] ?? "");
    const token = await createToken(kube, "rbac-gate", "rbac-gate");
    const cluster = kube.config.getCurrentCluster();
    const ca = Buffer.from(cluster?.caData ?? "", "base64").toString("utf8");
    writeFileSync(join(dir, "kubeconfig"), kubeconfigForToken(cluster?.server ?? "", ca, token));
    gate = await startRbacGate(["--config", join(dir, "config.yaml"), "--address", "127.0.0.1"], {
      KUBECONFIG: join(dir, "kubeconfig"),
    });
    upstream = await startUpstream(await freePort());
    nginx = await startNginx(gate.address, `127.0.0.1:${upstream.port}`);
  }, 180_000);

  afterAll(async () => {
    await upstream?.close();
  });

  it("prints the exact Ingress annotations to add", () => {
    expect(notes).toContain(
      'nginx.ingress.kubernetes.io/auth-url: "http://rbac-gate.rbac-gate.svc.cluster.local:8080/auth?host=$host"',
    );
    expect(notes).toContain(
      'nginx.ingress.kubernetes.io/auth-response-headers: "X-Auth-Request-User, X-Remote-User, X-Auth-Request-Groups, X-Remote-Group"',
    );
  });

  it("its permissions suffice: the seed's walkthrough passes through nginx", async () => {
    await createIngress(kube, "default", "hello-app", "hello.example.test", "hello-app", {
      "rbac-gate.io/authorization": "service-proxy",
    });
    await createServiceAccount(kube, "default", "consumer");
    const token = await createToken(kube, "default", "consumer");
    const hello = () =>
      send(nginx.plainPort, "/", { headers: { Host: "hello.example.test", Authorization: `Bearer ${token}` } });
    const until = async (status: number) => {
      const end = Date.now() + 15_000;
      let reply = await hello();
      while (reply.status !== status && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        reply = await hello();
      }
      return reply;
    };
    // The route is there once a request without credentials is challenged (401), not denied for want of a route.
    const anonymous = async () => {
      const end = Date.now() + 15_000;
      let reply = await send(nginx.plainPort, "/", { headers: { Host: "hello.example.test" } });
      while (reply.status !== 401 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        reply = await send(nginx.plainPort, "/", { headers: { Host: "hello.example.test" } });
      }
      return reply.status;
    };
    expect(await anonymous()).toBe(401);
    expect((await until(403)).status).toBe(403);
    await grantHelloAppProxy(kube);
    // The chart's default deny cache is 30 s; poll through it.
    const allowed = await (async () => {
      const end = Date.now() + 40_000;
      let reply = await hello();
      while (reply.status !== 200 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 500));
        reply = await hello();
      }
      return reply;
    })();
    expect(allowed.status).toBe(200);
    expect(allowed.body).toBe("Hello");
    expect(upstream.seen.at(-1)?.headers["x-auth-request-user"]).toBe("system:serviceaccount:default:consumer");
  }, 90_000);

  it("the README's htpasswd example works as written: Secret app-users in team-a, its user in", async () => {
    // README: htpasswd -cbB auth alice alice-password; kubectl -n team-a create secret generic app-users --from-file=auth
    // (made with: htpasswd -nbB -C 5 alice alice-password)
    await putSecret(kube, "team-a", "app-users", {
      auth: "alice:$2y$05$elnnmKaE8p8fC.7dnyzmiOsmWaEfgsF/K//ckiD6LrSC.zW3u90.O\n",
    });
    await createIngress(kube, "team-a", "my-app", "my-app.example.test", "my-app", {
      "rbac-gate.io/htpasswd-secret": "app-users",
    });
    await createClusterRole(kube, "my-app-users", [{ nonResourceURLs: ["/my-app.example.test/*"], verbs: ["get"] }]);
    await createClusterRoleBinding(kube, "my-app-users", "my-app-users", [{ kind: "Group", name: "htpasswd:team-a" }]);
    await waitForAccess(kube, {
      user: "htpasswd:team-a:alice",
      groups: ["htpasswd:team-a"],
      nonResourceAttributes: { path: "/my-app.example.test/", verb: "get" },
    });
    const request = () =>
      send(nginx.plainPort, "/", {
        headers: { Host: "my-app.example.test", Authorization: basic("alice", "alice-password") },
      });
    const end = Date.now() + 40_000;
    let reply = await request();
    while (reply.status !== 200 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      reply = await request();
    }
    expect(reply.status).toBe(200);
    expect(upstream.seen.at(-1)?.headers["x-auth-request-user"]).toBe("htpasswd:team-a:alice");
  }, 90_000);

  it("serves Prometheus metrics on the chart's metrics port, counting decisions and apiserver calls", async () => {
    const text = await (await fetch("http://127.0.0.1:9090/metrics")).text();
    expect(text).toMatch(/rbac_gate_decisions_total\{dialect="ingress-nginx",result="allow",code="allowed"\} [1-9]/);
    expect(text).toMatch(/rbac_gate_apiserver_requests_total\{kind="tokenreview",outcome="success"\} [1-9]/);
    expect(text).toMatch(/rbac_gate_cache_requests_total\{cache="subjectaccessreview",result="hit"\} [1-9]/);
  });

  it("its permissions are minimal: the ServiceAccount cannot read Secrets outside what the values allow", async () => {
    const user = "system:serviceaccount:rbac-gate:rbac-gate";
    const groups = ["system:serviceaccounts", "system:serviceaccounts:rbac-gate", "system:authenticated"];
    const secrets = (verb: string, namespace?: string) =>
      canI(kube, {
        user,
        groups,
        resourceAttributes: { verb, resource: "secrets", ...(namespace ? { namespace } : {}) },
      });
    expect((await secrets("list", "team-a")).allowed).toBe(true);
    expect((await secrets("list", "default")).allowed).toBe(false);
    expect((await secrets("list", "kube-system")).allowed).toBe(false);
    expect((await secrets("list")).allowed).toBe(false);
    expect((await secrets("get", "team-a")).allowed).toBe(false);
    expect((await secrets("list", "rbac-gate")).allowed).toBe(false);
    const write = await canI(kube, {
      user,
      groups,
      resourceAttributes: { verb: "update", group: "networking.k8s.io", resource: "ingresses", namespace: "default" },
    });
    expect(write.allowed).toBe(false);
  });

  it("helm test's probe command is what the pod would run (checked here against the running service)", () => {
    const manifest = helm(["get", "hooks", "rbac-gate", "-n", "rbac-gate"], inject("kubeconfig")).stdout;
    const script = /- \|\n([\s\S]*?)\n\s+securityContext:/.exec(manifest)?.[1] ?? "";
    const local = script.replace(/http:\/\/rbac-gate\.rbac-gate\.svc:8080/, `http://${gate.address}`);
    expect(local).not.toBe(script);
    const run = spawnSync(process.execPath, ["-e", local], { encoding: "utf8" });
    expect(run.status).toBe(0);
  });
});
