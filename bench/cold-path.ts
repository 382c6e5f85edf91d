/**
 * The cold path of `npm run bench:cluster`, for one rbac-gate: a burst of concurrent first requests with one new
 * ServiceAccount token (the apiserver's counters say how many TokenReviews and SubjectAccessReviews it cost, so
 * coalescing shows), the same request once cached, and a run of forged ServiceAccount tokens (each one distinct, a
 * real token's claims with its "jti" changed, so its signature no longer holds) that only TokenReview or the local
 * signature check can refuse.
 */
import { apiserverRequests, createServiceAccount, createToken, type Kube } from "../test/e2e/support/kube.js";

export type Ask = (authorization: string) => Promise<{ status: number; ms: number }>;

export interface BurstResult {
  readonly tr: number;
  readonly sar: number;
  readonly coldMs: number;
  readonly warmMs: number;
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const counters = async (kube: Kube) => ({
  tr: await apiserverRequests(kube, "tokenreviews"),
  sar: await apiserverRequests(kube, "subjectaccessreviews"),
});

/** One burst of `size` concurrent first requests with a token of the new ServiceAccount `name`, then 50 cached. */
export async function coldBurst(kube: Kube, ask: Ask, name: string, size: number): Promise<BurstResult> {
  await createServiceAccount(kube, "default", name);
  const token = await createToken(kube, "default", name);
  const before = await counters(kube);
  const replies = await Promise.all(Array.from({ length: size }, () => ask(`Bearer ${token}`)));
  const after = await counters(kube);
  if (replies.some((r) => r.status !== 200)) throw new Error(`${name}: not every reply was 200`);
  const again: number[] = [];
  for (let i = 0; i < 50; i++) again.push((await ask(`Bearer ${token}`)).ms);
  return {
    tr: after.tr - before.tr,
    sar: after.sar - before.sar,
    coldMs: median(replies.map((r) => r.ms)),
    warmMs: median(again),
  };
}

/**
 * One first request alone with a token of the new ServiceAccount `name`: the cold decision's own latency (its
 * reviews' round trips), which a burst's p50 hides behind the queueing of its other requests.
 */
export async function coldSingle(kube: Kube, ask: Ask, name: string): Promise<number> {
  await createServiceAccount(kube, "default", name);
  const token = await createToken(kube, "default", name);
  const reply = await ask(`Bearer ${token}`);
  if (reply.status !== 200) throw new Error(`${name}: got ${reply.status}`);
  return reply.ms;
}

/** `count` distinct forged tokens, 16 at a time: the TokenReviews they cost and the p50 of their 401s. */
export async function forgedRun(
  kube: Kube,
  ask: Ask,
  valid: string,
  count: number,
): Promise<{ tr: number; p50Ms: number }> {
  const [header, payload, signature] = valid.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  const before = await counters(kube);
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const forged = Buffer.from(JSON.stringify({ ...claims, jti: `forged-${next++}-${Math.random()}` }));
      const reply = await ask(`Bearer ${header}.${forged.toString("base64url")}.${signature}`);
      if (reply.status !== 401) throw new Error(`a forged token got ${reply.status}`);
      times.push(reply.ms);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { tr: (await counters(kube)).tr - before.tr, p50Ms: median(times) };
}
