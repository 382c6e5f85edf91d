/**
 * HTTP method → Kubernetes authorization verb, as kube-apiserver maps non-resource requests
 * (GET and HEAD → get, POST → create, PUT → update, PATCH → patch, DELETE → delete).
 * Any other method becomes its lower-case name ("options", "propfind"), so a Role can grant it by that name;
 * kube-rbac-proxy sends "*" instead, which only a wildcard rule matches.
 */
const VERBS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null), {
    GET: "get",
    HEAD: "get",
    POST: "create",
    PUT: "update",
    PATCH: "patch",
    DELETE: "delete",
  }),
);

export function verbFor(method: string): string {
  return VERBS[method] ?? method.toLowerCase();
}
