import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HtpasswdEntry } from "../../src/authn/htpasswd/parse.js";
import { verifyPassword } from "../../src/authn/htpasswd/verify.js";
import { nginxAuthPathFor } from "../support/dialects.js";
import { serviceFromFiles } from "../support/service.js";

// Made with: htpasswd -nbB -C 5 alice alice-pw ; htpasswd -nbm bob bob-pw ; htpasswd -nbB -C 5 josé pässwörd
const USERS = [
  "alice:$2y$05$pp1LRuxJhe38yKzmqrx3G.bR04Ofw/7IriRHrOyALa.kKLwW1P8Re",
  "bob:$apr1$4NQ71nsX$3/hSGNQK4EtPoCuVslWph1",
  "josé:$2y$05$ACcqvibuljc7.qwhCbEdseW7IgaO05AZho2tEOrZ.vGGB4WXdRlJe",
].join("\n");

const CONFIG = `
realm: 'team "apps"'
htpasswd:
  files:
    - name: team
      path: users.htpasswd
      usernamePrefix: "htpasswd:"
      groups: [team, "ops,eu"]
routes:
  - host: app.example.com
    htpasswd: team
    allow: { authenticated: true }
  - host: app.example.com
    path: /admin
    htpasswd: team
    realm: admin
    allow: { users: ["htpasswd:alice"] }
`;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let verifications: Array<{ user: string }> = [];
const countingCheck = async (password: string, entry: HtpasswdEntry) => {
  verifications.push({ user: entry.username });
  return verifyPassword(password, entry);
};

const freshService = () =>
  serviceFromFiles({ "config.yaml": CONFIG, "users.htpasswd": USERS }, { passwordCheck: countingCheck });

let service: Awaited<ReturnType<typeof serviceFromFiles>>;
beforeAll(async () => {
  service = await freshService();
});
afterAll(() => service.close());

const auth = (url: string, method = "GET") =>
  request(service.app).get(nginxAuthPathFor(url)).set("X-Original-URL", url).set("X-Original-Method", method);

describe("GET /auth (ingress-nginx auth-url)", () => {
  it("returns 200 with identity headers for a valid htpasswd user", async () => {
    const res = await auth("https://app.example.com/").set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(200);
    expect(res.headers["x-auth-request-user"]).toBe("htpasswd:alice");
    expect(res.headers["x-remote-user"]).toBe("htpasswd:alice");
    expect(res.headers["x-auth-request-groups"]).toBe("team,ops%2Ceu");
    expect(res.headers["x-remote-group"]).toBe("team,ops%2Ceu");
    expect(res.text).toBe("");
  });

  it("returns 401 with a Basic challenge, escaped realm and charset, without credentials", async () => {
    const res = await auth("https://app.example.com/");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Basic realm="team \\"apps\\"", charset="UTF-8"');
    expect(res.headers["x-auth-request-user"]).toBeUndefined();
  });

  it("returns 401 for a wrong password and for an unknown user", async () => {
    expect((await auth("https://app.example.com/").set("Authorization", basic("alice", "nope"))).status).toBe(401);
    expect((await auth("https://app.example.com/").set("Authorization", basic("mallory", "x"))).status).toBe(401);
  });

  it("accepts UTF-8 user names and percent-encodes them in identity headers", async () => {
    const res = await auth("https://app.example.com/").set("Authorization", basic("josé", "pässwörd"));
    expect(res.status).toBe(200);
    expect(res.headers["x-auth-request-user"]).toBe("htpasswd:jos%C3%A9");
  });

  it.each([
    ["Basic without colon", `Basic ${Buffer.from("alice").toString("base64")}`],
    ["invalid base64", "Basic %%%"],
    ["an unknown scheme", "Negotiate abc"],
    ["a bearer token on a basic-only route", "Bearer abc"],
  ])("answers %s with 401 and the challenge, never 400", async (_name, header) => {
    const res = await auth("https://app.example.com/").set("Authorization", header);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Basic realm=/);
  });

  it("answers two Authorization headers with 401 even when the first is valid", async () => {
    const res = await request(service.app)
      .get("/auth?host=app.example.com")
      .set("X-Original-URL", "https://app.example.com/")
      .set("X-Original-Method", "GET")
      // An array becomes one header line per value (node:http setHeader); the typings only admit a string.
      .set("Authorization", [basic("alice", "alice-pw"), basic("bob", "bob-pw")] as unknown as string);
    expect(res.status).toBe(401);
  });

  it("returns 403 to an authenticated user the route does not list, with the route's realm elsewhere", async () => {
    const denied = await auth("https://app.example.com/admin/x").set("Authorization", basic("bob", "bob-pw"));
    expect(denied.status).toBe(403);
    expect(denied.text).toBe('Forbidden: user "htpasswd:bob" is not listed for routes[1]\n');
    const allowed = await auth("https://app.example.com/admin/x").set("Authorization", basic("alice", "alice-pw"));
    expect(allowed.status).toBe(200);
    const challenge = await auth("https://app.example.com/admin");
    expect(challenge.headers["www-authenticate"]).toBe('Basic realm="admin", charset="UTF-8"');
  });

  it("decides on the normalized path: /public/../admin is /admin", async () => {
    const res = await auth("https://app.example.com/public/..//admin").set("Authorization", basic("bob", "bob-pw"));
    expect(res.status).toBe(403);
  });

  it("returns 403 for an ambiguous path before looking at credentials", async () => {
    const res = await auth("https://app.example.com/admin%2Fx").set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(403);
    expect(res.text).toBe("Forbidden: path has an encoded slash or backslash\n");
  });

  it("returns 403 for a host without a route, whatever the credentials", async () => {
    const res = await auth("https://other.example.com/").set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(403);
  });

  it("ignores X-Forwarded-Host and the subrequest's Host when choosing the route", async () => {
    const res = await auth("https://other.example.com/")
      .set("Host", "app.example.com")
      .set("X-Forwarded-Host", "app.example.com")
      .set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(403);
  });

  it("returns 500 and logs one actionable line when X-Original-URL is missing", async () => {
    const res = await request(service.app).get("/auth").set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(500);
    const line = service.logs().find((l) => l.decision === "error");
    expect(line?.reason).toBe(
      "X-Original-URL or X-Original-Method missing: call this endpoint only through ingress-nginx's auth-url",
    );
  });

  it("refuses (403) a request whose Host header differs from the host nginx routed by ($host in the auth-url)", async () => {
    // curl --request-target 'http://app.example.com/admin' -H 'Host: other.example.com': nginx serves app.example.com
    const res = await request(service.app)
      .get("/auth?host=app.example.com")
      .set("X-Original-URL", "http://other.example.com/admin")
      .set("X-Original-Method", "GET")
      .set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(403);
    expect(service.logs().at(-1)?.reason).toBe(
      "the Host header differs from the host nginx routed by (an absolute-form request line)",
    );
  });

  it("answers 500 with an actionable line when the auth-url lacks ?host=$host", async () => {
    const res = await request(service.app)
      .get("/auth")
      .set("X-Original-URL", "https://app.example.com/")
      .set("X-Original-Method", "GET")
      .set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(500);
    expect(service.logs().at(-1)?.reason).toBe(
      'the auth request has no "host" parameter: the auth-url must end with ?host=$host',
    );
  });

  it("accepts ingress-nginx's auth-method variant (POST subrequest)", async () => {
    const res = await request(service.app)
      .post("/auth?host=app.example.com")
      .set("X-Original-URL", "https://app.example.com/")
      .set("X-Original-Method", "DELETE")
      .set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(200);
  });

  it("never writes a password or an Authorization value to the log", async () => {
    await auth("https://app.example.com/").set("Authorization", basic("alice", "alice-pw"));
    await auth("https://app.example.com/").set("Authorization", basic("alice", "wrong-secret"));
    const text = JSON.stringify(service.logs());
    for (const secret of ["alice-pw", "wrong-secret", Buffer.from("alice:alice-pw").toString("base64")]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("verified-credential cache", () => {
  it("runs the slow hash once for the same user and password sent 1,000 times", async () => {
    const fresh = await freshService();
    verifications = [];
    const header = basic("alice", "alice-pw");
    let allowed = 0;
    for (let i = 0; i < 1000; i++) {
      const res = await request(fresh.app)
        .get("/auth?host=app.example.com")
        .set("X-Original-URL", `https://app.example.com/item/${i}`)
        .set("X-Original-Method", "GET")
        .set("Authorization", header);
      if (res.status === 200) allowed++;
    }
    fresh.close();
    expect(allowed).toBe(1000);
    expect(verifications).toEqual([{ user: "alice" }]);
  });

  it("coalesces concurrent first checks of one user and password into one verification", async () => {
    const fresh = await freshService();
    verifications = [];
    const header = basic("josé", "pässwörd");
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        request(fresh.app)
          .get("/auth?host=app.example.com")
          .set("X-Original-URL", "https://app.example.com/")
          .set("X-Original-Method", "GET")
          .set("Authorization", header),
      ),
    );
    fresh.close();
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(verifications).toEqual([{ user: "josé" }]);
  });

  it("never caches a failure: each wrong password is verified again", async () => {
    verifications = [];
    for (let i = 0; i < 5; i++) {
      expect((await auth("https://app.example.com/").set("Authorization", basic("bob", "wrong"))).status).toBe(401);
    }
    expect(verifications).toHaveLength(5);
  });
});

describe("health", () => {
  it("is live and ready, and stops being ready once draining begins", async () => {
    const fresh = await freshService();
    expect((await request(fresh.app).get("/healthz")).status).toBe(200);
    expect((await request(fresh.app).get("/readyz")).status).toBe(200);
    fresh.drain();
    expect((await request(fresh.app).get("/readyz")).status).toBe(503);
    expect((await request(fresh.app).get("/healthz")).status).toBe(200);
    await fresh.close();
  });
});

describe("the Traefik and Envoy endpoints, over the same policy", () => {
  // Its own service: the tests above lock bob out on purpose.
  let service: Awaited<ReturnType<typeof serviceFromFiles>>;
  beforeAll(async () => {
    service = await freshService();
  });
  afterAll(() => service.close());

  const forwardAuth = (host: string, uri: string, method = "GET") =>
    request(service.app)
      .get("/forward-auth")
      .set("X-Forwarded-Method", method)
      .set("X-Forwarded-Proto", "https")
      .set("X-Forwarded-Host", host)
      .set("X-Forwarded-Uri", uri)
      .set("X-Forwarded-For", "192.0.2.1");

  it("/forward-auth allows alice and denies bob on /admin, with the identity headers /auth gives", async () => {
    const allowed = await forwardAuth("app.example.com", "/admin/x?y=1").set(
      "Authorization",
      basic("alice", "alice-pw"),
    );
    expect(allowed.status).toBe(200);
    expect(allowed.headers["x-auth-request-user"]).toBe("htpasswd:alice");
    expect(allowed.headers["x-auth-request-groups"]).toBe("team,ops%2Ceu");
    const denied = await forwardAuth("app.example.com", "/public/../admin").set(
      "Authorization",
      basic("bob", "bob-pw"),
    );
    expect(denied.status).toBe(403);
  });

  it("/ext-authz/ reads the original method and path from its own request line", async () => {
    const allowed = await request(service.app)
      .delete("/ext-authz/admin/items/1")
      .set("Host", "APP.example.com")
      .set("Authorization", basic("alice", "alice-pw"));
    expect(allowed.status).toBe(200);
    expect(allowed.headers["x-remote-user"]).toBe("htpasswd:alice");
    const challenged = await request(service.app).post("/ext-authz/admin").set("Host", "app.example.com");
    expect(challenged.status).toBe(401);
    expect(challenged.headers["www-authenticate"]).toBe('Basic realm="admin", charset="UTF-8"');
  });

  it("names no reason in a 403's body, since Traefik and Envoy hand it to the client", async () => {
    const traefik = await forwardAuth("app.example.com", "/admin").set("Authorization", basic("bob", "bob-pw"));
    const envoy = await request(service.app)
      .get("/ext-authz/admin")
      .set("Host", "app.example.com")
      .set("Authorization", basic("bob", "bob-pw"));
    for (const res of [traefik, envoy]) {
      expect(res.status).toBe(403);
      expect(res.text).toBe("Forbidden\n");
    }
  });

  it("calls a /forward-auth request without Traefik's headers a proxy fault: 500, fail closed", async () => {
    const res = await request(service.app).get("/forward-auth").set("Authorization", basic("alice", "alice-pw"));
    expect(res.status).toBe(500);
  });

  it("serves /ext-authz only as a whole path element: /ext-authzx is not an endpoint", async () => {
    expect((await request(service.app).get("/ext-authzx").set("Host", "app.example.com")).status).toBe(404);
  });
});
