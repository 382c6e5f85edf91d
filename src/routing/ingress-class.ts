/**
 * Which Ingresses the fronted ingress-nginx serves, by its own rules (internal/ingress/controller/store and
 * ingress-nginx's --ingress-class / --watch-ingress-without-class flags). Pure.
 *
 * - The legacy annotation kubernetes.io/ingress.class, when present, decides: it must name the class.
 * - Else spec.ingressClassName must name the class.
 * - An Ingress with neither is served only with watchIngressWithoutClass (the controller's flag of that name).
 *   The apiserver gives a new Ingress the IngressClass marked default (ingressclass.kubernetes.io/is-default-class)
 *   when it is created, so a classless Ingress is one made before a default existed.
 * An Ingress of any other class is served by another controller, or by none: it must never decide anything here,
 * since a tenant can create one naming any host and path.
 */

export interface IngressClassFilter {
  readonly className: string;
  readonly watchWithoutClass: boolean;
}

export interface IngressClassFields {
  readonly ingressClassName?: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

export function servedIngress(ingress: IngressClassFields, filter: IngressClassFilter): boolean {
  const annotation = ingress.annotations[INGRESS_CLASS_ANNOTATION];
  if (annotation !== undefined) return annotation === filter.className;
  if (ingress.ingressClassName !== undefined) return ingress.ingressClassName === filter.className;
  return filter.watchWithoutClass;
}
