/**
 * Keeps one of Node.js's process.nextTick() task objects alive for the life of the process, so that V8's record of
 * how nextTick() builds them is never cleared.
 *
 * Why: nextTick() builds each task as an object literal whose first keys are computed symbols. For each key, V8
 * records the hidden class (map) the object had just before it, and holds that map weakly. A task object lives only
 * until its tick runs; when a full garbage collection comes at a moment none is alive (while modules load at start,
 * or idle between requests), those maps die, V8 counts the cleared record as a different map, marks the site
 * megamorphic, and never goes back. Observed: from then on nextTick() defines its properties through V8's runtime,
 * about 20 calls per Connection: close request, against almost none while the record holds (docs/performance.md
 * "A full collection at the wrong moment"). A task object held here keeps its maps alive, the maps keep the record.
 *
 * How: inside a nextTick() callback, async_hooks.executionAsyncResource() returns the task object being run. It sets
 * a flag, never cleared, that only matters while an async hook is enabled: rbac-gate enables none; a monitoring agent
 * that enables one with only init would also have native callbacks go through Node.js's JavaScript trampoline. (An
 * init hook would see the task object too, but enabling any hook installs V8's promise hooks, and V8 then stops
 * inlining promise operations in optimized code for the life of the process, by its source.) The object is taken
 * only when it is the task of that callback; a Node.js that answers with anything else keeps nothing.
 *
 * When: before a full collection can come at a moment no task is queued, once nextTick() has a record, that is, at
 * the entry point, before the rest of rbac-gate is loaded. Main thread only: worker threads are V8 instances of
 * their own, and none of them answers auth requests.
 */
import { executionAsyncResource } from "node:async_hooks";

let kept: object | undefined;

/** Keeps one task object; resolves to whether one is kept. */
export async function keepNextTickMaps(): Promise<boolean> {
  if (kept === undefined)
    await new Promise<void>((done) => {
      const take = () => {
        const task: unknown = executionAsyncResource();
        if (typeof task === "object" && task !== null && (task as { callback?: unknown }).callback === take)
          kept = task;
        done();
      };
      process.nextTick(take);
    });
  return kept !== undefined;
}
