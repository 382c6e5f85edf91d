import { describe, expect, it } from "vitest";
import { type IngressObject, routesFromIngresses } from "../../src/routing/ingress-routes.js";

const defaults = { realm: "rbac-gate", mapping: "host-path" as const, audiences: [] };
const NGINX = "nginx.ingress.kubernetes.io/";
const ingress = (name: string, annotations: Record<string, string>, creationTimestamp?: string): IngressObject => ({
  namespace: "default",
  name,
  annotations,
  rules: [{ host: "app.example.com", paths: [{ path: `/${name}`, pathType: "Prefix", service: name }] }],
  ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
});
const certificates = { "rbac-gate.io/authenticators": "client-certificate" };
const passes = { [`${NGINX}auth-tls-secret`]: "default/ca", [`${NGINX}auth-tls-pass-certificate-to-upstream`]: "true" };
const misconfigurations = (ingresses: IngressObject[]) =>
  routesFromIngresses(ingresses, defaults).routes.map((r) => r.misconfiguration);

describe("As a platform admin, an Ingress accepts client certificates only where nginx sets ssl-client-cert itself", () => {
  it("accepts client certificates on a host whose server passes the certificate to the auth subrequest", () => {
    expect(misconfigurations([ingress("a", { ...certificates, ...passes })])).toEqual([undefined]);
  });

  it("denies client certificates where nginx would pass a client's own ssl-client-cert header through", () => {
    const withoutPass = { [`${NGINX}auth-tls-secret`]: "default/ca" };
    for (const annotations of [certificates, { ...certificates, ...withoutPass }]) {
      expect(misconfigurations([ingress("a", annotations)])[0]).toMatch(
        /does not pass the client certificate to rbac-gate/,
      );
    }
  });

  it("follows the oldest Ingress of the host with auth-tls-secret, which configures nginx's server", () => {
    const older = ingress("older", { [`${NGINX}auth-tls-secret`]: "default/ca" }, "2026-01-01T00:00:00Z");
    const newer = ingress("newer", { ...certificates, ...passes }, "2026-02-01T00:00:00Z");
    expect(misconfigurations([newer, older])).toEqual([undefined, expect.stringMatching(/does not pass/)]);
  });
});
