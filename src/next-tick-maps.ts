/**
 * Keeps one of Node.js's process.nextTick() task objects alive for the life of the process, so that V8 keeps
 * defining the next ones on its fast path.
 *
 * Why: nextTick() builds each task as an object literal whose first keys are computed symbols. For each key, V8
 * records the hidden class (map) the object had just before it, and holds that map weakly. A task object lives only
 * until its tick runs; when a full garbage collection comes at a moment none is alive (loading modules at start, or
 * idle between requests), those maps die, V8 counts the cleared record as a different map, marks the site
 * megamorphic, and never goes back: from then on every nextTick() call, optimized code included, defines its
 * properties through V8's runtime. A Connection: close request makes about four nextTick() calls, so about 20 such
 * runtime calls, 26,000 instructions of the 179,000 rbac-gate spent per request under callgrind. Whether a process
 * got there depended on when its collections came: 9 of 22 starts on one machine, 10 of 10 on another, the bare
 * Node.js floor never (docs/performance.md "A full collection at the wrong moment"). A task object held here keeps
 * its maps alive, the maps keep the record, and the record stays monomorphic.
 *
 * How: an async_hooks init hook receives each task object as the resource of type "TickObject" (the documented
 * resource of that type). It is enabled for one nextTick() call and disabled at once, before nextTick() has any
 * record (V8 starts recording after a function's first few calls), so this must run before the rest of rbac-gate is
 * loaded. Nothing is kept when a future Node.js stops passing the task object to the hook.
 */
import { createHook } from "node:async_hooks";

let kept: object | undefined;

/** Keeps one task object; returns whether one was seen. Calling it again changes nothing. */
export function keepNextTickMaps(): boolean {
  if (kept !== undefined) return true;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === "TickObject" && kept === undefined) kept = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
  return kept !== undefined;
}

function noop(): void {}
