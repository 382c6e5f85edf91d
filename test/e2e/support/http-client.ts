import { request } from "node:http";

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * A raw HTTP/1.1 request: the path is sent exactly as given (no normalization), so hostile paths reach nginx
 * the way an attacker would send them.
 */
export function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string | string[]> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** Repeats a request until its answer has the wanted status or time is up (RBAC and cache changes take a moment). */
export async function eventually(request: () => Promise<Reply>, status: number, timeoutMs = 10_000): Promise<Reply> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const reply = await request();
    if (reply.status === status || Date.now() > end) return reply;
    await new Promise((r) => setTimeout(r, 100));
  }
}
