import { describe, expect, it } from "vitest";
import { servedIngress } from "../../src/routing/ingress-class.js";

const nginx = { className: "nginx", watchWithoutClass: false };

describe("servedIngress (which Ingresses the fronted ingress-nginx serves)", () => {
  it("serves the class it is configured for, by spec.ingressClassName", () => {
    expect(servedIngress({ ingressClassName: "nginx", annotations: {} }, nginx)).toBe(true);
  });

  it("never counts an Ingress of another class, or of a class no controller has", () => {
    expect(servedIngress({ ingressClassName: "no-such-class", annotations: {} }, nginx)).toBe(false);
    expect(servedIngress({ ingressClassName: "traefik", annotations: {} }, nginx)).toBe(false);
  });

  it("lets the legacy kubernetes.io/ingress.class annotation decide when present, as ingress-nginx does", () => {
    expect(servedIngress({ annotations: { "kubernetes.io/ingress.class": "nginx" } }, nginx)).toBe(true);
    const both = { ingressClassName: "nginx", annotations: { "kubernetes.io/ingress.class": "other" } };
    expect(servedIngress(both, nginx)).toBe(false);
  });

  it("counts an Ingress without any class only with watchWithoutClass", () => {
    expect(servedIngress({ annotations: {} }, nginx)).toBe(false);
    expect(servedIngress({ annotations: {} }, { ...nginx, watchWithoutClass: true })).toBe(true);
  });
});
