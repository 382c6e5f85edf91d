/**
 * A watched collection of one kind of object (client-node's ListWatch), restarted with backoff after errors.
 * Readers get the last synced state; a broken watch keeps serving what it had and says since when it is broken
 * (readiness falls after a threshold), never an empty or partial list.
 */
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from "@kubernetes/client-node";
import type { Logger } from "../log.js";

export interface WatchedCollection<T> {
  /** The spec's name, for logs and the rbac_gate_watch_up gauge. */
  readonly name: string;
  list(): readonly T[];
  get(name: string, namespace: string): T | undefined;
  /** True once the first list arrived. */
  synced(): boolean;
  /** When the watch broke, or undefined while it works. */
  brokenSince(): number | undefined;
  /** Called after any add, update or delete. */
  onChange(listener: () => void): void;
  stop(): Promise<void>;
}

export interface WatchSpec<T extends KubernetesObject> {
  /** For logs: "ingresses", "secrets in team-a". */
  readonly name: string;
  /** API path of the watch, e.g. /apis/networking.k8s.io/v1/ingresses. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}

/** Starts watching; resolves once the first list arrived (or rejects with the error that prevented it). */
export async function watchCollection<T extends KubernetesObject>(
  config: KubeConfig,
  spec: WatchSpec<T>,
  logger: Logger,
): Promise<WatchedCollection<T>> {
  const informer = new ListWatch<T>(
    spec.path,
    new Watch(config),
    spec.list,
    false,
    spec.labelSelector,
    spec.fieldSelector,
  );
  const listeners: Array<() => void> = [];
  const changed = () => {
    for (const l of listeners) l();
  };
  informer.on("add", changed);
  informer.on("update", changed);
  informer.on("delete", changed);

  let synced = false;
  let brokenSince: number | undefined;
  let stopped = false;
  let delay = 1000;
  let timer: NodeJS.Timeout | undefined;
  const log = logger.child({ watch: spec.name });

  // start() resolves even when its list fails (the error goes to the error callback): remember the last error.
  let lastError: unknown;
  const restart = () => {
    timer = undefined;
    if (stopped) return;
    lastError = undefined;
    informer.start().then(
      () => {
        if (lastError !== undefined || stopped) return;
        if (brokenSince !== undefined) log.info("watch restored");
        brokenSince = undefined;
        delay = 1000;
        synced = true;
        changed();
      },
      () => undefined, // reported through the error callback below
    );
  };
  informer.on("error", (err) => {
    lastError = err;
    if (stopped) return;
    brokenSince ??= Date.now();
    log.warn({ err: describe(err), retryInMs: delay }, "watch failed; serving the last synced state");
    clearTimeout(timer);
    timer = setTimeout(restart, delay);
    delay = Math.min(delay * 2, 30_000);
  });

  await informer.start();
  if (lastError !== undefined) {
    stopped = true;
    clearTimeout(timer);
    await informer.stop();
    throw new Error(`cannot list ${spec.name}: ${describe(lastError)}`);
  }
  synced = true;
  return {
    name: spec.name,
    list: () => informer.list(),
    get: (name, namespace) => informer.get(name, namespace),
    synced: () => synced,
    brokenSince: () => brokenSince,
    onChange: (listener) => listeners.push(listener),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}

/** One line for a log or a start-up refusal: client-node's ApiException message spans lines and every header. */
export function describe(err: unknown): string {
  const e = err as { code?: unknown; body?: unknown } | null;
  if (err instanceof Error && typeof e?.code === "number") {
    // The body is the apiserver's Status (JSON with a message) or, for a path it does not serve, plain text.
    let status: unknown = e.body;
    if (typeof e.body === "string") {
      try {
        status = JSON.parse(e.body);
      } catch {
        status = undefined;
      }
    }
    const message = (status as { message?: unknown } | undefined)?.message;
    const text = typeof message === "string" ? message : String(e.body ?? "");
    return `status ${e.code}: ${text.trim().replace(/\s+/g, " ").slice(0, 200)}`;
  }
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null) {
    const e = err as { code?: unknown; statusCode?: unknown; body?: unknown };
    return `status ${String(e.code ?? e.statusCode ?? "?")}: ${typeof e.body === "string" ? e.body.slice(0, 200) : ""}`;
  }
  return String(err);
}
