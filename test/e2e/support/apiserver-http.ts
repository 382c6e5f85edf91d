/**
 * Raw HTTPS to the test apiserver with the kubeconfig's credentials, for what client-node's typed clients cannot
 * do: metrics text, the OpenAPI document, and JSON sent as written (its models drop x-kubernetes-* schema
 * extensions from CRDs).
 */
import { type RequestOptions, request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

export async function apiserverText(
  config: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const options: RequestOptions = { method, headers: { "content-type": "application/json" } };
  await config.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(`${config.getCurrentCluster()?.server}${path}`, options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The same, with the answer parsed as JSON (an empty answer is {}). */
export async function apiserverJson<T>(
  config: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const { status, text } = await apiserverText(config, method, path, body);
  return { status, body: JSON.parse(text || "{}") as T };
}
