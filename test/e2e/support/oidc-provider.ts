/**
 * A real OpenID Provider for tests: the certified oidc-provider package, in this process, serving HTTPS with a
 * certificate of a test CA (made by openssl in a private folder). Its ID tokens are signed with its own keys and
 * verified against the JWKS it serves; rotate() replaces its signing key (the old one stays published), as an
 * operator rotates keys, without moving the issuer.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Provider from "oidc-provider";
import { freePort } from "./ports.js";

export interface TestProvider {
  /** https://127.0.0.1:<port> */
  readonly issuer: string;
  /** PEM of the CA that signed the provider's serving certificate. */
  readonly caPem: string;
  /** An ID token for a user, from the given client (its audience); expiresAt in epoch seconds. */
  idToken(sub: string, options?: { clientId?: string; expiresAt?: number }): Promise<string>;
  /** A new signing key; the previous ones stay in the JWKS. Returns the new key's id. */
  rotate(): string;
  stop(): Promise<void>;
}

interface SigningKey extends JsonWebKey {
  kid: string;
}

const newKey = (): SigningKey => ({
  ...(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as JsonWebKey),
  kid: randomUUID(),
  use: "sig",
  alg: "RS256",
});

/** A CA and a serving certificate for 127.0.0.1, by openssl. */
function testCertificates(dir: string): { caPem: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "1",
    "-subj",
    "/CN=oidc test CA",
  );
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  run(
    "x509",
    "-req",
    "-in",
    "tls.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "tls.crt",
    "-days",
    "1",
    "-extfile",
    "san.ext",
  );
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return { caPem: read("ca.crt"), key: read("tls.key"), cert: read("tls.crt") };
}

/**
 * @param users each user's groups claim
 * @param clientIds the clients (each an audience of its ID tokens)
 */
export async function startTestProvider(
  users: Readonly<Record<string, readonly string[]>>,
  clientIds: readonly string[],
): Promise<TestProvider> {
  const dir = mkdtempSync(join(tmpdir(), "rbac-gate-oidc-"));
  const tls = testCertificates(dir);
  const port = await freePort();
  const issuer = `https://127.0.0.1:${port}`;
  const keys: SigningKey[] = [newKey()];
  const build = () =>
    new Provider(issuer, {
      clients: clientIds.map((id) => ({
        client_id: id,
        client_secret: `${id}-secret`,
        redirect_uris: [`https://${id}.example.test/callback`],
      })),
      jwks: { keys },
      claims: { openid: ["sub"], groups: ["groups"] },
      findAccount: async (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: async () => ({ sub, groups: users[sub] ?? [] }),
      }),
      features: { devInteractions: { enabled: false } },
      ttl: { IdToken: 3600 },
    });
  let provider = build();
  let handler = provider.callback();
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req: IncomingMessage, res: ServerResponse) =>
    handler(req, res),
  );
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    caPem: tls.caPem,
    async idToken(sub, options = {}) {
      const client = await provider.Client.find(options.clientId ?? clientIds[0] ?? "");
      if (!client) throw new Error(`no client ${options.clientId}`);
      const token = new provider.IdToken({ sub, groups: users[sub] ?? [] }, { client });
      token.scope = "openid groups";
      return token.issue({
        use: "idtoken",
        ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
      });
    },
    rotate() {
      const key = newKey();
      keys.unshift(key);
      provider = build();
      handler = provider.callback();
      return key.kid;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
