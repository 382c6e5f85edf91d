import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0] as number;
}

/**
 * count distinct TCP ports on 127.0.0.1 that were free a moment ago: each is held until all are chosen, so the
 * kernel cannot hand one out twice (as freePort() called in a row may).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.on("error", reject);
            server.listen(0, "127.0.0.1", () => {
              const address = server.address();
              resolve(typeof address === "object" && address ? address.port : 0);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
