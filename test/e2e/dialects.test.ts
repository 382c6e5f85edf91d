/**
 * One policy, three proxies: the shared decision table through /auth (ingress-nginx), /forward-auth (Traefik
 * ForwardAuth), /ext-authz/ (Envoy HTTP ext_authz) and the gRPC listener's Authorization/Check (Envoy gRPC
 * ext_authz, with a gRPC client from the same .proto files), each called exactly as its proxy calls it, against a real
 * kube-apiserver: TokenReview, SubjectAccessReview, an htpasswd Secret, an app routed by an Ingress and the same
 * app routed by a Gateway API HTTPRoute (CRD from the sigs.k8s.io/gateway-api module). Each proxy is asked about
 * the objects it routes by: ingress-nginx about Ingresses, the Gateway proxies about HTTPRoutes; neither's host
 * is known to the other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authRequest, checkRequest, DIALECTS, type DialectName } from "../support/dialects.js";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { acceptHTTPRoute, createGateway, createHTTPRoute, installGatewayApiCrds } from "./support/crds.js";
import { authorization, type DecisionCase, decisionTable, SPOOFED_HEADERS } from "./support/decision-table.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { type CheckReply, checkClient } from "./support/grpc-client.js";
import { type Reply, send } from "./support/http-client.js";
import {
  connect,
  createClusterRole,
  createClusterRoleBinding,
  createIngress,
  createRole,
  createRoleBinding,
  createServiceAccount,
  createToken,
  grantHelloAppProxy,
  type Kube,
  putSecret,
  waitForAccess,
} from "./support/kube.js";
import { freePort } from "./support/ports.js";
import { stopAll } from "./support/processes.js";

// Made with: htpasswd -nbB -C 5 alice alice-pw
const ALICE = "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re\n";
const SETTINGS = { "rbac-gate.io/authorization": "service-proxy", "rbac-gate.io/htpasswd-secret": "users" };

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let grpc: ReturnType<typeof checkClient>;
/** The HTTP dialects and Envoy's gRPC ext_authz. */
type Endpoint = DialectName | "envoy-grpc";
const ENDPOINTS: readonly Endpoint[] = [...DIALECTS, "envoy-grpc"];
const tokens: Record<string, string> = { garbage: "garbage.token.value" };

function ask(dialect: Endpoint, c: DecisionCase, extra: Record<string, string> = {}, allowAll = false) {
  const client = {
    method: c.method,
    host: c.host,
    target: c.target,
    headers: { ...extra, ...authorization(c.who, tokens) },
  };
  if (dialect === "envoy-grpc") return grpc.check(checkRequest(client));
  const r = authRequest(
    dialect,
    { method: c.method, host: c.host, target: c.target, headers: { ...extra, ...authorization(c.who, tokens) } },
    { allowAll },
  );
  return send(env.gate.port, r.path, { method: r.method, headers: r.headers });
}

/** The CheckResponse status Envoy reads first: OK allows, anything else denies. */
const GRPC_CODES = { 200: 0, 401: 16, 403: 7 } as const;

function expectAnswer(reply: Reply | CheckReply, c: DecisionCase) {
  expect(reply.status).toBe(c.status);
  if ("grpcCode" in reply) {
    expect(reply.grpcCode).toBe(GRPC_CODES[c.status]);
    // Identity headers replace the client's (OVERWRITE_IF_EXISTS_OR_ADD), never join them.
    if (c.status === 200) expect(reply.appendActions["x-auth-request-user"]).toBe(2);
  }
  if (c.user !== undefined) expect(reply.headers["x-auth-request-user"]).toBe(c.user);
  for (const group of c.groups ?? [])
    expect(String(reply.headers["x-auth-request-groups"]).split(",")).toContain(group);
  if (c.status !== 200) expect(reply.headers["x-auth-request-user"]).toBeUndefined();
  if (c.challenge) expect(reply.headers["www-authenticate"]).toMatch(c.challenge);
}

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await installGatewayApiCrds(kube);
  await createGateServiceAccount(kube);
  // Every case sends its failures from one address and alice's wrong password many times: regulation is widened so
  // that it does not turn later cases into lockouts (it has its own tests).
  const grpcPort = await freePort();
  env = await startGateInCluster(
    plane,
    kube,
    "  httpRoutes: true\n  gateways: [default/gateway]\n  cache: {denyTtl: 1s}\nregulation: {maxFailuresPerUser: 1000, maxFailuresPerAddress: 100000}\n" +
      `grpc: {port: ${grpcPort}}\n`,
  );
  grpc = checkClient(grpcPort);
  for (const sa of ["consumer", "outsider"]) {
    await createServiceAccount(kube, "default", sa);
    tokens[sa] = await createToken(kube, "default", sa);
  }
  await grantHelloAppProxy(kube);
  await putSecret(kube, "default", "users", { auth: ALICE });
  await createRole(kube, "default", "hello-app-writer", [
    { apiGroups: [""], resources: ["services/proxy"], resourceNames: ["hello-app"], verbs: ["get", "create"] },
  ]);
  await createRoleBinding(kube, "default", "hello-app-alice", { kind: "Role", name: "hello-app-writer" }, [
    { kind: "User", name: "htpasswd:default:alice" },
  ]);
  // A public app: what a spoofed header would point the check at, were it trusted.
  await createClusterRole(kube, "public-app", [
    {
      nonResourceURLs: [
        "/public.example.test",
        "/public.example.test/*",
        "/public.gateway.test",
        "/public.gateway.test/*",
      ],
      verbs: ["*"],
    },
  ]);
  await createClusterRoleBinding(kube, "public-app", "public-app", [{ kind: "Group", name: "system:authenticated" }]);
  await createIngress(kube, "default", "hello-app", "hello.example.test", "hello-app", SETTINGS);
  await createIngress(kube, "default", "public-app", "public.example.test", "public-app");
  await createGateway(kube, "default", "gateway", [{ name: "http", port: 80, protocol: "HTTP" }]);
  await createHTTPRoute(
    kube,
    "default",
    "hello-route",
    {
      parentRefs: [{ name: "gateway" }],
      hostnames: ["hello.gateway.test"],
      rules: [
        { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "hello-app", port: 80 }] },
      ],
    },
    SETTINGS,
  );
  await acceptHTTPRoute(kube, "default", "hello-route", {
    group: "gateway.networking.k8s.io",
    kind: "Gateway",
    name: "gateway",
  });
  await createHTTPRoute(kube, "default", "public-route", {
    parentRefs: [{ name: "gateway" }],
    hostnames: ["public.gateway.test"],
    rules: [{ backendRefs: [{ name: "public-app", port: 80 }] }],
  });
  await acceptHTTPRoute(kube, "default", "public-route", {
    group: "gateway.networking.k8s.io",
    kind: "Gateway",
    name: "gateway",
  });
  await waitForAccess(kube, {
    user: "htpasswd:default:alice",
    groups: ["htpasswd:default"],
    resourceAttributes: {
      namespace: "default",
      verb: "create",
      resource: "services",
      subresource: "proxy",
      name: "hello-app",
    },
  });
  // Routes are there once a request without credentials is challenged instead of denied for want of a route.
  const end = Date.now() + 15_000;
  for (const [dialect, host] of [
    ["ingress-nginx", "hello.example.test"],
    ["ingress-nginx", "public.example.test"],
    ["envoy", "hello.gateway.test"],
    ["envoy", "public.gateway.test"],
    ["envoy-grpc", "hello.gateway.test"],
  ] as const) {
    const probe: DecisionCase = { name: "", who: { none: true }, method: "GET", host, target: "/", status: 401 };
    while ((await ask(dialect, probe)).status !== 401 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  grpc?.close();
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

/** The host each proxy routes the app by: an Ingress's for ingress-nginx, an HTTPRoute's for the Gateways. */
const appHost = (dialect: Endpoint) => (dialect === "ingress-nginx" ? "hello.example.test" : "hello.gateway.test");
const publicHost = (dialect: Endpoint) => (dialect === "ingress-nginx" ? "public.example.test" : "public.gateway.test");
const casesFor = (dialect: Endpoint) =>
  decisionTable(appHost(dialect)).map((c) => ({
    ...c,
    name: `${dialect === "ingress-nginx" ? "Ingress" : "HTTPRoute"}: ${c.name}`,
  }));

describe.each(ENDPOINTS)("the shared decision table through the %s endpoint", (dialect) => {
  it.each(casesFor(dialect))("$name → $status", async (c) => {
    expectAnswer(await ask(dialect, c), c);
  });

  it("a host only the other kind of proxy routes has no route here (403), whatever the credentials", async () => {
    const other = dialect === "ingress-nginx" ? "hello.gateway.test" : "hello.example.test";
    const reply = await ask(dialect, {
      name: "",
      who: { token: "consumer" },
      method: "GET",
      host: other,
      target: "/",
      status: 403,
    });
    expect(reply.status).toBe(403);
  });
});

describe.each(ENDPOINTS)("client-sent forwarding and identity headers through the %s endpoint", (dialect) => {
  // Envoy passes only the headers an operator allows: the worst case, every header allowed, is the one tested.
  const spoofed = { ...SPOOFED_HEADERS };
  for (const [k, v] of Object.entries(spoofed)) spoofed[k] = v.replaceAll("public.example.test", publicHost(dialect));
  it.each(casesFor(dialect))("$name: the same answer with spoofed headers", async (c) => {
    expectAnswer(await ask(dialect, c, spoofed, true), c);
  });

  it("the public app the spoofed headers name is really open to an authenticated outsider", async () => {
    const reply = await ask(dialect, {
      name: "",
      who: { token: "outsider" },
      method: "GET",
      host: publicHost(dialect),
      target: "/",
      status: 200,
    });
    expect(reply.status).toBe(200);
  });
});

describe("answers as each proxy passes them to the client", () => {
  const denied: DecisionCase = { ...decisionTable("hello.example.test")[4] } as DecisionCase;

  it("Traefik and Envoy (HTTP and gRPC) hand a 403's body to the client: it names no route, user or rule", async () => {
    for (const dialect of ["traefik", "envoy", "envoy-grpc"] as const) {
      const reply = await ask(dialect, { ...(decisionTable("hello.gateway.test")[4] as DecisionCase) });
      expect(reply.status).toBe(403);
      expect(reply.body).toBe("Forbidden\n");
    }
  });

  it("ingress-nginx never shows the auth response's body, so /auth keeps the reason for nginx's debug log", async () => {
    const reply = await ask("ingress-nginx", denied);
    expect(reply.body).toMatch(/^Forbidden: .+/);
  });
});
