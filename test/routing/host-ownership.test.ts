import { describe, expect, it } from "vitest";
import { applyHostOwnership } from "../../src/routing/host-ownership.js";
import { prefixRoute } from "../support/routes.js";

const route = (namespace: string | undefined, host: string, path: string) =>
  prefixRoute(`${namespace ?? "config"}:${host}${path}`, host, path, namespace === undefined ? {} : { namespace });

describe("applyHostOwnership", () => {
  const routes = [
    route("victim", "bank.example.test", "/"),
    route("tenant", "bank.example.test", "/admin"),
    route("tenant", "tenant.example.test", "/"),
    route("victim", "bank.example.test", "/api"),
    route(undefined, "bank.example.test", "/healthz"),
  ];

  it("oldest-namespace: another namespace's route on an owned host is denied, the owner's own routes are not", () => {
    const out = applyHostOwnership(routes, "oldest-namespace");
    expect(out.map((r) => r.misconfiguration)).toEqual([
      undefined,
      'tenant:bank.example.test/admin: host "bank.example.test" belongs to namespace victim, whose route for it is older',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("shared keeps the proxies' merging of hosts across namespaces", () => {
    expect(applyHostOwnership(routes, "shared")).toBe(routes);
  });
});
