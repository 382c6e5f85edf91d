// oidc-provider ships no type declarations; the tests use this much of it.
declare module "oidc-provider" {
  interface Client {
    readonly clientId: string;
  }
  interface IdTokenInstance {
    scope: string;
    issue(options: { use: "idtoken"; expiresAt?: number }): Promise<string>;
  }
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    callback(): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void;
    readonly Client: { find(id: string): Promise<Client | undefined> };
    readonly IdToken: new (
      claims: Record<string, unknown>,
      options: { client: Client },
    ) => IdTokenInstance;
  }
}
