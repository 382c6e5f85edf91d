/**
 * One decision table for every dialect: who asks (a ServiceAccount token, an htpasswd user, nobody), for which
 * host, path and method, and what must come back. The suites run it through each dialect endpoint exactly as each
 * proxy calls it (test/support/dialects.ts), so an app protected under one proxy is protected identically under
 * the others.
 *
 * The cluster behind it: ServiceAccounts default/consumer (Role hello-app-proxy: get services/proxy hello-app)
 * and default/outsider (no grant); htpasswd Secret default/users with alice, bound to a Role that also allows
 * create; the app served on an Ingress host and on an HTTPRoute host, both with service-proxy authorization.
 */

export type Who =
  | { readonly token: "consumer" | "outsider" | "garbage" }
  | { readonly basic: "alice" | "alice-wrong-password" | "mallory" }
  | { readonly none: true };

export interface DecisionCase {
  readonly name: string;
  readonly who: Who;
  readonly method: string;
  /** Host as the client sends it (case and port kept). */
  readonly host: string;
  /** Request-target as the client sends it. */
  readonly target: string;
  readonly status: 200 | 401 | 403;
  /** For 200: X-Auth-Request-User, and groups the X-Auth-Request-Groups list must contain. */
  readonly user?: string;
  readonly groups?: readonly string[];
  /** For 401: the challenge. */
  readonly challenge?: RegExp;
}

const CONSUMER = "system:serviceaccount:default:consumer";
const ALICE = "htpasswd:default:alice";

/** The cases for one app host; the table runs them for the Ingress host and the HTTPRoute host alike. */
export function decisionTable(host: string): DecisionCase[] {
  const consumer = { token: "consumer" } as const;
  return [
    {
      name: "consumer GET /",
      who: consumer,
      method: "GET",
      host,
      target: "/",
      status: 200,
      user: CONSUMER,
      groups: ["system:serviceaccounts:default"],
    },
    {
      name: "consumer HEAD (verb get)",
      who: consumer,
      method: "HEAD",
      host,
      target: "/item",
      status: 200,
      user: CONSUMER,
    },
    {
      name: "consumer GET with query",
      who: consumer,
      method: "GET",
      host,
      target: "/item?x=1&y=%2F",
      status: 200,
      user: CONSUMER,
    },
    {
      name: "consumer host in capitals with port",
      who: consumer,
      method: "GET",
      host: `${host.toUpperCase()}:8443`,
      target: "/",
      status: 200,
      user: CONSUMER,
    },
    { name: "consumer POST (verb create, not granted)", who: consumer, method: "POST", host, target: "/", status: 403 },
    {
      name: "consumer DELETE (verb delete, not granted)",
      who: consumer,
      method: "DELETE",
      host,
      target: "/item",
      status: 403,
    },
    {
      name: "outsider GET (no RoleBinding)",
      who: { token: "outsider" },
      method: "GET",
      host,
      target: "/",
      status: 403,
    },
    {
      name: "garbage token",
      who: { token: "garbage" },
      method: "GET",
      host,
      target: "/",
      status: 401,
      challenge: /Bearer realm="[^"]*", error="invalid_token"/,
    },
    {
      name: "no credentials",
      who: { none: true },
      method: "GET",
      host,
      target: "/",
      status: 401,
      challenge: /^Basic realm="[^"]*", charset="UTF-8", Bearer realm=/,
    },
    {
      name: "alice GET",
      who: { basic: "alice" },
      method: "GET",
      host,
      target: "/",
      status: 200,
      user: ALICE,
      groups: ["htpasswd:default"],
    },
    {
      name: "alice POST (granted create)",
      who: { basic: "alice" },
      method: "POST",
      host,
      target: "/form",
      status: 200,
      user: ALICE,
    },
    {
      name: "alice with a wrong password",
      who: { basic: "alice-wrong-password" },
      method: "GET",
      host,
      target: "/",
      status: 401,
      challenge: /^Basic /,
    },
    {
      name: "a user the Secret does not have",
      who: { basic: "mallory" },
      method: "GET",
      host,
      target: "/",
      status: 401,
    },
    {
      name: "dot segments resolved before matching",
      who: consumer,
      method: "GET",
      host,
      target: "/a/../b/./c",
      status: 200,
      user: CONSUMER,
    },
    { name: "encoded slash refused", who: consumer, method: "GET", host, target: "/a%2Fb", status: 403 },
    {
      name: "dot segments above the root refused",
      who: consumer,
      method: "GET",
      host,
      target: "/../../etc",
      status: 403,
    },
    {
      name: "a host no route serves",
      who: consumer,
      method: "GET",
      host: "unknown.example.test",
      target: "/",
      status: 403,
    },
  ];
}

/**
 * Headers a client adds to pose as someone else or to point the check at another request: every proxy must
 * ignore or overwrite each of them, so the decision is the one without them.
 */
export const SPOOFED_HEADERS: Readonly<Record<string, string>> = {
  "X-Original-URL": "http://public.example.test/",
  "X-Original-Method": "GET",
  "X-Original-URI": "/",
  "X-Forwarded-Host": "public.example.test",
  "X-Forwarded-Uri": "/",
  "X-Forwarded-Method": "GET",
  "X-Forwarded-Proto": "https",
  "X-Forwarded-For": "10.0.0.1",
  "X-Real-IP": "10.0.0.1",
  "X-Envoy-Original-Path": "/",
  "X-Auth-Request-User": "system:admin",
  "X-Auth-Request-Groups": "system:masters",
  "X-Remote-User": "system:admin",
  "X-Remote-Group": "system:masters",
};

/** The Authorization header of a case's client: tokens by name, alice's password (right or wrong), or none. */
export function authorization(who: Who, tokens: Readonly<Record<string, string>>): Record<string, string> {
  if ("token" in who) return { Authorization: `Bearer ${tokens[who.token]}` };
  if ("basic" in who) {
    const [user, password] =
      who.basic === "alice" ? ["alice", "alice-pw"] : who.basic === "mallory" ? ["mallory", "x"] : ["alice", "nope"];
    return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
  }
  return {};
}
