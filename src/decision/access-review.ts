/**
 * Request → SubjectAccessReview spec (authorization.k8s.io/v1). Pure: user, request and route in, spec out.
 *
 * host-path:      nonResourceAttributes {path: "/<host><path>", verb}. The host prefix keeps the built-in
 *                 system:discovery and system:public-info-viewer grants (/api/*, /version, /healthz for everyone)
 *                 from opening the same paths on every app.
 * service-proxy:  resourceAttributes {namespace, verb, resource: services, subresource: proxy, name: <service>},
 *                 so a Role on services/proxy for the backend Service grants access through the ingress.
 * template:       every attribute from a template with {host} {path} {method} {verb} {namespace} {service}
 *                 {ingress} placeholders.
 */

import type { AttributesTemplate, Route } from "../routing/routes.js";
import { fail, ok, type Result } from "../vocabulary/result.js";
import type { OriginalRequest, UserInfo } from "../vocabulary/types.js";
import { verbFor } from "./verb.js";

export interface ResourceAttributes {
  readonly namespace?: string;
  readonly verb: string;
  readonly group?: string;
  readonly version?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
}

export interface NonResourceAttributes {
  readonly path: string;
  readonly verb: string;
}

export interface SubjectAccessReviewSpec {
  readonly user: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  readonly resourceAttributes?: ResourceAttributes;
  readonly nonResourceAttributes?: NonResourceAttributes;
}

export const TEMPLATE_PLACEHOLDERS = ["host", "path", "method", "verb", "namespace", "service", "ingress"] as const;
export const RESOURCE_FIELDS = ["namespace", "verb", "group", "version", "resource", "subresource", "name"] as const;
export const NON_RESOURCE_FIELDS = ["path", "verb"] as const;

export function accessReviewFor(
  user: UserInfo,
  request: OriginalRequest,
  route: Route,
): Result<SubjectAccessReviewSpec, string> {
  const policy = route.authorization;
  if (policy.kind !== "subject-access-review") return fail("route is not authorized by SubjectAccessReview");
  const subject = {
    user: user.username,
    groups: user.groups,
    ...(user.uid === undefined ? {} : { uid: user.uid }),
    ...(user.extra === undefined ? {} : { extra: user.extra }),
  };
  const verb = verbFor(request.method);
  switch (policy.mapping) {
    case "host-path":
      return ok({ ...subject, nonResourceAttributes: { path: `/${request.host}${request.path}`, verb } });
    case "service-proxy":
      if (route.namespace === undefined || route.service === undefined) {
        return fail("service-proxy authorization needs a route with a backend Service");
      }
      return ok({
        ...subject,
        resourceAttributes: {
          namespace: route.namespace,
          verb,
          resource: "services",
          subresource: "proxy",
          name: route.service,
        },
      });
    case "template":
      return ok({ ...subject, ...renderTemplate(policy.template, request, route, verb) });
  }
}

function renderTemplate(template: AttributesTemplate, request: OriginalRequest, route: Route, verb: string) {
  const values: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    host: request.host,
    path: request.path,
    method: request.method,
    verb,
    namespace: route.namespace ?? "",
    service: route.service ?? "",
    ingress: route.objectName ?? "",
  };
  const render = (text: string) =>
    text.replace(/\{([a-z]+)\}/g, (whole, name: string) =>
      name in values ? values[name as keyof typeof values] : whole,
    );
  const renderAll = (fields: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, render(v)]));
  if (template.nonResourceAttributes) {
    const attrs = renderAll(template.nonResourceAttributes);
    return { nonResourceAttributes: { verb, ...attrs } as NonResourceAttributes };
  }
  const attrs = renderAll(template.resourceAttributes ?? {});
  return { resourceAttributes: { verb, ...attrs } as ResourceAttributes };
}
