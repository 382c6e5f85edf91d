/**
 * The three ways found to get a 200 for a request the policy forbids, each tried as written, through real nginx
 * (servers and locations rendered from the cluster's Ingresses the way ingress-nginx renders them, auth-url as
 * rbac-gate documents it) and the real apiserver: a tenant's user reaching another tenant's backend with an
 * absolute-form request line, a tenant's Ingress of a class no controller serves and HTTPRoute attached to no
 * Gateway naming another tenant's host, and ImplementationSpecific paths nginx matches as string prefixes.
 * Each attack is shown to reach the backend it aims at (nginx's own choice), and none gets a 200.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "./support/control-plane.js";
import { acceptHTTPRoute, createGateway, createHTTPRoute, installGatewayApiCrds } from "./support/crds.js";
import { createGateServiceAccount, type GateInCluster, startGateInCluster } from "./support/gate-in-cluster.js";
import { type Reply, send } from "./support/http-client.js";
import { type RenderedIngress, renderIngressNginx } from "./support/ingress-nginx-render.js";
import {
  connect,
  createNamespaceNamed,
  createRole,
  createRoleBinding,
  createServiceAccount,
  createToken,
  type Kube,
  waitForAccess,
} from "./support/kube.js";
import { freePort } from "./support/ports.js";
import { start, stopAll, waitForHttp } from "./support/processes.js";

const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
const SERVICE_PROXY = { "rbac-gate.io/authorization": "service-proxy" };
const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();

/** Every Ingress of the cluster, as created there and as nginx renders it (the no-such-class one is not rendered). */
const INGRESSES: RenderedIngress[] = [
  // The tenant's squat is the oldest object of all: were its class not checked, it would own the victim's host.
  {
    namespace: "tenant",
    name: "squat",
    creationTimestamp: at(1),
    ingressClassName: "no-such-class",
    rules: [{ host: "secret.example.test", paths: [{ path: "/doc", pathType: "Prefix", service: "public" }] }],
  },
  {
    namespace: "victim",
    name: "secret",
    creationTimestamp: at(2),
    ingressClassName: "nginx",
    rules: [{ host: "secret.example.test", paths: [{ path: "/", pathType: "Prefix", service: "secret" }] }],
  },
  {
    namespace: "tenant",
    name: "public",
    creationTimestamp: at(3),
    ingressClassName: "nginx",
    rules: [{ host: "public.example.test", paths: [{ path: "/", pathType: "Prefix", service: "public" }] }],
  },
  {
    namespace: "shop",
    name: "shop",
    creationTimestamp: at(4),
    ingressClassName: "nginx",
    rules: [
      {
        host: "shop.example.test",
        paths: [
          { path: "/", pathType: "Prefix", service: "shop-web" },
          { path: "/admin", pathType: "ImplementationSpecific", service: "shop-admin" },
        ],
      },
    ],
  },
  // The tenant's own objects naming the victim's host with a longer path, backed by its own Service.
  {
    namespace: "tenant",
    name: "merge",
    creationTimestamp: at(5),
    ingressClassName: "nginx",
    rules: [{ host: "secret.example.test", paths: [{ path: "/merged", pathType: "Prefix", service: "public" }] }],
  },
];

let plane: ControlPlane;
let kube: Kube;
let env: GateInCluster;
let echo: Server;
let nginxPort: number;
let alice: string;
/** bob belongs to the victim and may use its secret app; carol may use the shop's admin app. */
let bob: string;
let carol: string;

/** The answer of a request through nginx, and which location served it (the echo backend names it). */
const through = (path: string, host: string, token = alice): Promise<Reply> =>
  send(nginxPort, path, { headers: { Host: host, Authorization: `Bearer ${token}` } });
const envoy = (path: string, host: string): Promise<Reply> =>
  send(env.gate.port, `/ext-authz${path}`, { headers: { Host: host, Authorization: `Bearer ${alice}` } });

async function createIngressObject(i: RenderedIngress): Promise<void> {
  await kube.networking.createNamespacedIngress({
    namespace: i.namespace,
    body: {
      metadata: { name: i.name, annotations: SERVICE_PROXY },
      spec: {
        ingressClassName: i.ingressClassName,
        rules: i.rules.map((rule) => ({
          ...(rule.host ? { host: rule.host } : {}),
          http: {
            paths: rule.paths.map((p) => ({
              path: p.path,
              pathType: p.pathType,
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
          },
        })),
      },
    },
  });
  // Creation order is age order here: the renderer sorts by the timestamps above, the apiserver by its own.
  await new Promise((r) => setTimeout(r, 1100));
}

beforeAll(async () => {
  plane = await startControlPlane();
  kube = connect(plane.kubeconfig);
  await installGatewayApiCrds(kube);
  await createGateServiceAccount(kube);
  for (const ns of ["victim", "tenant", "shop", "infra"]) await createNamespaceNamed(kube, ns);
  env = await startGateInCluster(
    plane,
    kube,
    "  httpRoutes: true\n  gateways: [infra/edge]\n  cache: {denyTtl: 1s}\nregulation: {enabled: false}\n",
  );
  for (const i of INGRESSES) await createIngressObject(i);

  // alice belongs to the tenant, may use its "public" app and the shop's web front, nothing else.
  const grant = async (user: [string, string], ns: string, service: string) => {
    await createRole(kube, ns, `${service}-${user[1]}`, [
      { apiGroups: [""], resources: ["services/proxy"], resourceNames: [service], verbs: ["get"] },
    ]);
    await createRoleBinding(kube, ns, `${service}-${user[1]}`, { kind: "Role", name: `${service}-${user[1]}` }, [
      { kind: "ServiceAccount", namespace: user[0], name: user[1] },
    ]);
  };
  for (const [ns, name] of [
    ["tenant", "alice"],
    ["victim", "bob"],
    ["shop", "carol"],
  ] as const) {
    await createServiceAccount(kube, ns, name);
  }
  alice = await createToken(kube, "tenant", "alice");
  bob = await createToken(kube, "victim", "bob");
  carol = await createToken(kube, "shop", "carol");
  await grant(["tenant", "alice"], "tenant", "public");
  await grant(["tenant", "alice"], "shop", "shop-web");
  await grant(["victim", "bob"], "victim", "secret");
  await grant(["shop", "carol"], "shop", "shop-admin");
  await waitForAccess(kube, {
    user: "system:serviceaccount:tenant:alice",
    groups: ["system:serviceaccounts", "system:serviceaccounts:tenant", "system:authenticated"],
    resourceAttributes: {
      namespace: "shop",
      verb: "get",
      resource: "services",
      subresource: "proxy",
      name: "shop-web",
    },
  });

  // The Gateway rbac-gate fronts; the victim's HTTPRoute is accepted by it, the tenant's is attached to nothing.
  const edge = { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "infra", name: "edge" };
  await createGateway(kube, "infra", "edge", [
    { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } },
  ]);
  // The tenant's HTTPRoute attached to nothing is older than the victim's: were attachment not checked, it would
  // own the host and decide /doc by the tenant's own grant.
  await createHTTPRoute(
    kube,
    "tenant",
    "loose",
    {
      hostnames: ["secret.gateway.test"],
      rules: [
        { matches: [{ path: { type: "PathPrefix", value: "/doc" } }], backendRefs: [{ name: "public", port: 80 }] },
      ],
    },
    SERVICE_PROXY,
  );
  await new Promise((r) => setTimeout(r, 1100));
  await createHTTPRoute(
    kube,
    "victim",
    "secret",
    {
      parentRefs: [edge],
      hostnames: ["secret.gateway.test"],
      rules: [{ backendRefs: [{ name: "secret", port: 80 }] }],
    },
    SERVICE_PROXY,
  );
  await acceptHTTPRoute(kube, "victim", "secret", edge);
  echo = createServer((req, res) => res.writeHead(200).end(String(req.headers["x-location"] ?? "")));
  const echoPort = await freePort();
  await new Promise<void>((resolve) => echo.listen(echoPort, "127.0.0.1", resolve));
  nginxPort = await freePort();
  const { config } = renderIngressNginx(INGRESSES, { listen: nginxPort, auth: env.gate.port, echo: echoPort });
  const prefix = mkdtempSync(join(tmpdir(), "rbac-gate-fidelity-"));
  mkdirSync(join(prefix, "logs"));
  writeFileSync(join(prefix, "nginx.conf"), config as string);
  const nginx = start(NGINX, ["-p", `${prefix}/`, "-c", join(prefix, "nginx.conf"), "-g", "daemon off;"]);
  await waitForHttp(`http://127.0.0.1:${nginxPort}/`, nginx);

  // Routes are there once alice's own app answers 200.
  const end = Date.now() + 20_000;
  while ((await through("/", "public.example.test")).status !== 200 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
  }
}, 240_000);

afterAll(async () => {
  echo?.close();
  await env?.upstream.close();
  await stopAll();
  await plane?.stop();
});

describe("1. the host nginx routes by is the host decided about", () => {
  it("alice reaches her own app (the control)", async () => {
    const reply = await through("/doc", "public.example.test");
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("tenant/public Prefix /");
  });

  it("an absolute-form request line for the secret host with Host: public reaches no backend (403)", async () => {
    const reply = await through("http://secret.example.test/doc", "public.example.test");
    expect(reply.status).toBe(403);
  });

  it("that request line is served by the secret backend: bob, who may use it, gets 200 from it", async () => {
    const reply = await through("http://secret.example.test/doc", "secret.example.test", bob);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("victim/secret Prefix /");
    // The Host header nginx forwards names the public host; only the request line routed it.
    expect((await through("http://secret.example.test/doc", "public.example.test", bob)).status).toBe(403);
  });
});

describe("2. only objects the proxy serves decide", () => {
  it("a tenant Ingress of class no-such-class on the victim's host changes nothing: 403, victim's policy", async () => {
    const reply = await through("/doc", "secret.example.test");
    expect(reply.status).toBe(403);
  });

  it("a tenant HTTPRoute attached to no Gateway on the victim's host changes nothing through the Envoy endpoint", async () => {
    expect((await envoy("/doc", "secret.gateway.test")).status).toBe(403);
    // The victim's own route decides there: bob may pass.
    const bobs = await send(env.gate.port, "/ext-authz/doc", {
      headers: { Host: "secret.gateway.test", Authorization: `Bearer ${bob}` },
    });
    expect(bobs.status).toBe(200);
  });

  it("a tenant Ingress nginx does serve on the victim's host is denied: the host belongs to the older namespace", async () => {
    // nginx merges it into the victim's server and sends /merged to the tenant's backend: refused all the same.
    const reply = await through("/merged", "secret.example.test");
    expect(reply.status).toBe(403);
  });
});

describe("3. path semantics as ingress-nginx renders each pathType", () => {
  it("alice reaches the shop's web front (the control)", async () => {
    const reply = await through("/public", "shop.example.test");
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("shop/shop Prefix /");
  });

  it.each(["/admin", "/adminx", "/admin.php", "/admin%20"])(
    "%s is served from the admin location (carol, an admin, gets it) and refused to a user of the web front",
    async (path) => {
      const admin = await through(path, "shop.example.test", carol);
      expect(admin.status).toBe(200);
      expect(admin.body).toBe("shop/shop ImplementationSpecific /admin");
      expect((await through(path, "shop.example.test")).status).toBe(403);
    },
  );

  it.each(["/admin;x=1", "/public/..;/admin", "/public;jsessionid=1"])(
    "%s, with a ';' path parameter an app may read as another path, is refused to everyone by default",
    async (path) => {
      expect((await through(path, "shop.example.test")).status).toBe(403);
      expect((await through(path, "shop.example.test", carol)).status).toBe(403);
    },
  );
});
