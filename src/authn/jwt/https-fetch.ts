/**
 * A bounded HTTPS GET for an issuer's discovery document and keys: only https, the issuer's own CA when configured
 * (certificateAuthority, as the apiserver uses it), no redirects (a 3xx is an error), a deadline for the whole
 * exchange and a size limit, so a slow or huge answer cannot hold a request or the heap.
 */
import type { RequestOptions } from "node:https";
import { https } from "../../node-http.js";

export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** The shape jose's customFetch expects, which discovery uses too. */
export type HttpsFetch = (
  url: string,
  options?: { headers?: Headers | Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** TLS settings and headers of every request: the apiserver's from a KubeConfig (its CA, client certificate, token). */
export type RequestBase = Pick<RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized"> & {
  readonly headers?: Readonly<Record<string, string>>;
};

/** @param ca the issuer's CA bundle (PEM), or a function giving every request's TLS settings and headers. */
export function httpsFetcher(ca: string | undefined | (() => Promise<RequestBase>), limits: FetchLimits): HttpsFetch {
  return async (url, options = {}) => {
    const base: RequestBase = typeof ca === "function" ? await ca() : ca === undefined ? {} : { ca };
    return new Promise<Response>((resolve, reject) => {
      if (!url.startsWith("https://")) {
        reject(new Error(`refusing to fetch ${url}: not https`));
        return;
      }
      const headers: Record<string, string> = { accept: "application/json", ...base.headers };
      const given = options.headers instanceof Headers ? Object.fromEntries(options.headers) : options.headers;
      Object.assign(headers, given);
      const req = https.request(url, {
        method: "GET",
        ...base,
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxBytes) {
            req.destroy(new Error(`${url} answered more than ${limits.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          // Only a 200 has a body worth reading; Response itself throws for some statuses (204, 1xx).
          if (res.statusCode !== 200) {
            reject(new Error(`${url} answered ${res.statusCode}`));
            return;
          }
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === "string") responseHeaders.set(k, v);
          }
          resolve(new Response(Buffer.concat(chunks), { status: 200, headers: responseHeaders }));
        });
        res.on("error", reject);
      });
      // A deadline for the whole exchange: the socket's idle timeout alone lets a slow drip go on for ever.
      const deadline = setTimeout(
        () => req.destroy(new Error(`${url} did not answer within ${limits.timeoutMs} ms`)),
        limits.timeoutMs,
      );
      req.on("close", () => clearTimeout(deadline));
      req.on("error", reject);
      req.end();
    });
  };
}

/** GETs a JSON document; throws unless the answer is 200 with a JSON object. */
export async function fetchJson(fetch: HttpsFetch, url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  const body = (await res.json()) as unknown;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error(`${url} is not a JSON object`);
  return body as Record<string, unknown>;
}
