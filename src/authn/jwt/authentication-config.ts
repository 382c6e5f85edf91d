/**
 * kube-apiserver's structured authentication configuration (apiserver.config.k8s.io AuthenticationConfiguration,
 * the file of --authentication-config), read for its `jwt` authenticators. Pure: the parsed YAML document in, the
 * issuers rbac-gate verifies tokens of, or every problem at once.
 *
 * What the apiserver evaluates as CEL (username/groups/uid `expression`, `extra`, claimValidationRules with
 * `expression`, userValidationRules) is refused by name: no maintained JavaScript library evaluates Kubernetes' CEL
 * (its extension libraries and cost limits included) faithfully, and a rule half-evaluated would admit users the
 * apiserver refuses. Unknown fields are refused too. `anonymous` is the apiserver's own concern (requests without
 * credentials); rbac-gate always challenges them, so it is ignored.
 */
import { fail, ok, type Result } from "../../vocabulary/result.js";
import { type Bad, CEL, httpsUrl, isCertificateBundle, isObj, type Obj, unknownFields } from "./config-fields.js";

export interface ClaimMapping {
  readonly claim: string;
  readonly prefix: string;
}

export interface JwtAuthenticatorConfig {
  readonly issuer: {
    readonly url: string;
    /** Where the discovery document is fetched; default `${url}/.well-known/openid-configuration`. */
    readonly discoveryURL?: string;
    /** A token is accepted when its "aud" names any of them (MatchAny). */
    readonly audiences: readonly string[];
    /** PEM of the CAs trusted for discovery and JWKS; undefined: the system's. */
    readonly certificateAuthority?: string;
  };
  readonly claimMappings: {
    readonly username: ClaimMapping;
    readonly groups?: ClaimMapping;
    readonly uid?: { readonly claim: string };
  };
  readonly claimValidationRules: readonly { readonly claim: string; readonly requiredValue: string }[];
}

export const API_VERSIONS = ["apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1beta1"];

export function readAuthenticationConfig(document: unknown): Result<readonly JwtAuthenticatorConfig[], string[]> {
  const problems: string[] = [];
  const bad = (where: string, value: unknown, rule: string) =>
    problems.push(`${where} has ${JSON.stringify(value)}: ${rule}`);
  if (!isObj(document)) return fail(["the authentication configuration must be a mapping"]);
  if (document.kind !== "AuthenticationConfiguration")
    bad("kind", document.kind, "it must be AuthenticationConfiguration");
  if (typeof document.apiVersion !== "string" || !API_VERSIONS.includes(document.apiVersion)) {
    bad("apiVersion", document.apiVersion, `it must be ${API_VERSIONS.join(" or ")}`);
  }
  unknownFields(document, "", ["apiVersion", "kind", "jwt", "anonymous"], problems);
  const list = document.jwt;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push("jwt is missing: rbac-gate needs at least one JWT authenticator");
    return fail(problems);
  }
  const issuers = list.map((entry, i) => readJwt(entry, `jwt[${i}]`, bad, problems));
  const urls = issuers.map((j) => j?.issuer.url);
  urls.forEach((url, i) => {
    if (url !== undefined && urls.indexOf(url) !== i) bad(`jwt[${i}].issuer.url`, url, "it must be unique");
  });
  if (problems.length > 0) return fail(problems);
  return ok(issuers as JwtAuthenticatorConfig[]);
}

function readJwt(entry: unknown, where: string, bad: Bad, problems: string[]): JwtAuthenticatorConfig | undefined {
  if (!isObj(entry)) {
    bad(where, entry, "it must be a mapping");
    return undefined;
  }
  unknownFields(
    entry,
    `${where}.`,
    ["issuer", "claimMappings", "claimValidationRules", "userValidationRules"],
    problems,
  );
  if (entry.userValidationRules !== undefined) problems.push(`${where}.userValidationRules is set: ${CEL}`);
  const issuer = readIssuer(entry.issuer, `${where}.issuer`, bad, problems);
  const claimMappings = readClaimMappings(entry.claimMappings, `${where}.claimMappings`, bad, problems);
  const rules = readClaimValidationRules(entry.claimValidationRules, `${where}.claimValidationRules`, bad, problems);
  if (!issuer || !claimMappings || !rules) return undefined;
  return { issuer, claimMappings, claimValidationRules: rules };
}

function readIssuer(value: unknown, where: string, bad: Bad, problems: string[]) {
  if (!isObj(value)) {
    bad(where, value, "it must be a mapping with url and audiences");
    return undefined;
  }
  const known = ["url", "discoveryURL", "audiences", "audienceMatchPolicy", "certificateAuthority"];
  unknownFields(value, `${where}.`, known, problems);
  const { url, discoveryURL, audiences, audienceMatchPolicy, certificateAuthority } = value;
  let good = true;
  const check = (condition: boolean, field: string, v: unknown, rule: string) => {
    if (!condition) {
      bad(`${where}.${field}`, v, rule);
      good = false;
    }
  };
  check(httpsUrl(url), "url", url, "it must be an https URL without user, query or fragment");
  if (discoveryURL !== undefined) {
    check(
      httpsUrl(discoveryURL),
      "discoveryURL",
      discoveryURL,
      "it must be an https URL without user, query or fragment",
    );
    check(discoveryURL !== url, "discoveryURL", discoveryURL, "it must differ from url");
  }
  const auds = Array.isArray(audiences) ? audiences : [];
  check(
    auds.length > 0 && auds.every((a) => typeof a === "string" && a !== "") && new Set(auds).size === auds.length,
    "audiences",
    audiences,
    "it must list one or more distinct, non-empty audiences",
  );
  if (auds.length > 1) {
    check(
      audienceMatchPolicy === "MatchAny",
      "audienceMatchPolicy",
      audienceMatchPolicy,
      "it must be MatchAny with several audiences",
    );
  } else if (audienceMatchPolicy !== undefined && audienceMatchPolicy !== "" && audienceMatchPolicy !== "MatchAny") {
    check(false, "audienceMatchPolicy", audienceMatchPolicy, 'it must be "MatchAny" or unset');
  }
  if (certificateAuthority !== undefined) {
    check(
      isCertificateBundle(certificateAuthority),
      "certificateAuthority",
      "(PEM)",
      "it must be PEM-encoded certificates",
    );
  }
  if (!good) return undefined;
  return {
    url: url as string,
    audiences: auds as string[],
    ...(discoveryURL === undefined ? {} : { discoveryURL: discoveryURL as string }),
    ...(certificateAuthority === undefined ? {} : { certificateAuthority: certificateAuthority as string }),
  };
}

function readMapping(
  value: unknown,
  where: string,
  withPrefix: boolean,
  bad: Bad,
  problems: string[],
): { claim: string; prefix: string } | undefined | "bad" {
  if (value === undefined) return undefined;
  if (!isObj(value)) {
    bad(where, value, "it must be a mapping");
    return "bad";
  }
  unknownFields(value, `${where}.`, withPrefix ? ["claim", "prefix", "expression"] : ["claim", "expression"], problems);
  if (value.expression !== undefined) {
    problems.push(`${where}.expression is set: ${CEL}; use claim${withPrefix ? " and prefix" : ""}`);
    return "bad";
  }
  if (typeof value.claim !== "string" || value.claim === "") {
    bad(`${where}.claim`, value.claim, "it must name a claim");
    return "bad";
  }
  if (withPrefix && typeof value.prefix !== "string") {
    // As the apiserver: an explicit prefix ("" for none) whenever claim is set.
    bad(`${where}.prefix`, value.prefix, 'it must be set when claim is set ("" for none)');
    return "bad";
  }
  return { claim: value.claim, prefix: withPrefix ? (value.prefix as string) : "" };
}

function readClaimMappings(value: unknown, where: string, bad: Bad, problems: string[]) {
  if (!isObj(value)) {
    bad(where, value, "it must be a mapping with username");
    return undefined;
  }
  unknownFields(value, `${where}.`, ["username", "groups", "uid", "extra"], problems);
  if (value.extra !== undefined) problems.push(`${where}.extra is set: its valueExpression ${CEL.slice(3)}`);
  if (value.username === undefined) problems.push(`${where}.username is missing: it must name a claim and a prefix`);
  const username = readMapping(value.username, `${where}.username`, true, bad, problems);
  const groups = readMapping(value.groups, `${where}.groups`, true, bad, problems);
  const uid = readMapping(value.uid, `${where}.uid`, false, bad, problems);
  if (username === undefined || username === "bad" || groups === "bad" || uid === "bad") return undefined;
  return {
    username,
    ...(groups === undefined ? {} : { groups }),
    ...(uid === undefined ? {} : { uid: { claim: uid.claim } }),
  };
}

function readClaimValidationRules(value: unknown, where: string, bad: Bad, problems: string[]) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    bad(where, value, "it must be a list");
    return undefined;
  }
  const rules: { claim: string; requiredValue: string }[] = [];
  for (const [i, rule] of value.entries()) {
    const at = `${where}[${i}]`;
    const problem = claimRuleProblem(rule, at, rules, problems);
    if (Array.isArray(problem)) bad(...problem);
    else if (problem === undefined) {
      rules.push({ claim: (rule as Obj).claim as string, requiredValue: (rule as Obj).requiredValue as string });
    }
  }
  return rules.length === value.length ? rules : undefined;
}

/** What is wrong with one claim validation rule, as bad()'s arguments ("reported": already said); undefined: good. */
function claimRuleProblem(
  rule: unknown,
  at: string,
  earlier: readonly { claim: string }[],
  problems: string[],
): [string, unknown, string] | "reported" | undefined {
  if (!isObj(rule)) return [at, rule, "it must be a mapping with claim and requiredValue"];
  unknownFields(rule, `${at}.`, ["claim", "requiredValue", "expression", "message"], problems);
  if (rule.expression !== undefined) {
    problems.push(`${at}.expression is set: ${CEL}; use claim and requiredValue`);
    return "reported";
  }
  if (rule.message !== undefined) return [`${at}.message`, rule.message, "it goes only with an expression"];
  if (typeof rule.claim !== "string" || rule.claim === "") return [`${at}.claim`, rule.claim, "it must name a claim"];
  if (typeof rule.requiredValue !== "string") return [`${at}.requiredValue`, rule.requiredValue, "it must be a string"];
  if (earlier.some((r) => r.claim === rule.claim)) return [`${at}.claim`, rule.claim, "it must be unique"];
  return undefined;
}
