/**
 * The client certificate a proxy verified in its TLS handshake and passed on in a header of its own. Pure: every
 * reader returns credentials for every input and never throws.
 *
 * A certificate is public: whoever holds a copy can put it in a header. So a header is read only when the proxy
 * itself always sets it, overwriting (or removing) any value the client sent; each dialect names its proxy's
 * header and the configuration that makes it so (docs/kubernetes.md, docs/gateway-api.md). The certificate is
 * verified afterwards by the client-certificate authenticator (src/authn/client-certificate.ts).
 */
import type { Credentials } from "./credentials.js";
import type { HeaderReader } from "./dialects/dialect.js";

/** Reads the certificate from the auth request's headers: none, the chain (leaf first, PEM) or malformed. */
export type CertificateReader = (header: HeaderReader) => Credentials;

/** Bounds the work on an attacker's header: a certificate chain of a few kilobytes is far below this. */
export const MAX_CERTIFICATE_HEADER_LENGTH = 32 * 1024;

const NONE: Credentials = Object.freeze({ kind: "none" });
const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const malformed = (reason: string): Credentials => ({ kind: "malformed", reason });

/**
 * The certificates of a PEM text, each as a PEM block; undefined when anything but certificate blocks and line
 * breaks is there (a private key, text around the blocks), so that nothing is silently skipped.
 */
export function pemCertificates(text: string): string[] | undefined {
  const blocks: string[] = [];
  let rest = text;
  for (const m of text.matchAll(BLOCK)) {
    const body = (m[1] as string).replace(/\r?\n/g, "");
    if (!BASE64.test(body) || body.length % 4 !== 0) return undefined;
    blocks.push(toPem(body));
    rest = rest.replace(m[0], "");
  }
  return blocks.length > 0 && rest.trim() === "" ? blocks : undefined;
}

/** A base64 DER certificate as a PEM block with 64-character lines. */
export function toPem(base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

function decodeUrl(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function chainOf(pem: string | undefined, what: string): Credentials {
  const chain = pem === undefined ? undefined : pemCertificates(pem);
  return chain === undefined ? malformed(`${what} is not a PEM certificate`) : { kind: "client-certificate", chain };
}

/** nginx's $ssl_client_escaped_cert: the leaf certificate's PEM, URL-encoded. Empty means no certificate. */
export function readEscapedPem(value: string | undefined, what: string): Credentials {
  if (value === undefined || value === "") return NONE;
  if (value.length > MAX_CERTIFICATE_HEADER_LENGTH) return malformed(`${what} is too long`);
  return chainOf(decodeUrl(value), what);
}

/**
 * Envoy's x-forwarded-client-cert: elements separated by ",", each of key=value pairs separated by ";", values
 * optionally quoted; Cert is the leaf's URL-encoded PEM. Only one element is accepted: with
 * forward_client_cert_details SANITIZE_SET Envoy writes exactly one (its own); several mean a proxy forwarded what
 * an earlier hop (or the client) wrote, and which of them Envoy vouches for is not something to guess.
 */
export function readXfcc(value: string | undefined): Credentials {
  const what = "x-forwarded-client-cert";
  if (value === undefined || value === "") return NONE;
  if (value.length > MAX_CERTIFICATE_HEADER_LENGTH) return malformed(`${what} is too long`);
  const elements = splitOutsideQuotes(value, ",");
  if (elements === undefined || elements.length !== 1) {
    return malformed(`${what} must be exactly one element (forward_client_cert_details: SANITIZE_SET)`);
  }
  const certs = (splitOutsideQuotes(elements[0] as string, ";") ?? [])
    .map((p) => p.trim())
    .filter((p) => /^cert=/i.test(p));
  if (certs.length === 0) return NONE;
  if (certs.length > 1) return malformed(`${what} has more than one Cert`);
  const raw = (certs[0] as string).slice(5);
  const unquoted = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  return chainOf(decodeUrl(unquoted), what);
}

/** Splits on sep outside double quotes; undefined when a quote is left open. */
function splitOutsideQuotes(value: string, sep: string): string[] | undefined {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return undefined;
  parts.push(value.slice(start));
  return parts;
}

/**
 * Traefik's passTLSClientCert with pem: true: each certificate's PEM without its BEGIN/END lines and line breaks,
 * the chain's certificates joined by ",", leaf first.
 */
export function readTraefikPem(value: string | undefined): Credentials {
  const what = "X-Forwarded-Tls-Client-Cert";
  if (value === undefined || value === "") return NONE;
  if (value.length > MAX_CERTIFICATE_HEADER_LENGTH) return malformed(`${what} is too long`);
  // Some Traefik versions URL-escape the value; base64 alone has no "%", so decoding is harmless either way.
  const decoded = decodeUrl(value);
  if (decoded === undefined) return malformed(`${what} is not base64 DER`);
  const bodies = decoded.split(",").map((b) => b.trim());
  if (bodies.some((b) => !BASE64.test(b) || b.length % 4 !== 0)) return malformed(`${what} is not base64 DER`);
  return { kind: "client-certificate", chain: bodies.map(toPem) };
}
