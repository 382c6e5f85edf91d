/**
 * Watches one file for changes: a notification on its folder (which also sees the symlink swap of a mounted
 * Secret or ConfigMap, "..data") and a periodic check as a safety net for file systems without notifications.
 * The callback only says "look again"; callers compare content themselves.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

export interface FileWatch {
  close(): void;
}

export function watchFile(path: string, onChange: () => void, pollIntervalMs = 2000): FileWatch {
  let pending: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(pending);
    pending = setTimeout(onChange, 50);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === basename(path) || file.startsWith("..")) schedule();
    });
    watcher.on("error", () => undefined);
  } catch {
    // No notifications here (or the folder is gone): the periodic check still runs.
  }
  const timer = setInterval(onChange, pollIntervalMs);
  timer.unref();
  return {
    close() {
      clearTimeout(pending);
      clearInterval(timer);
      watcher?.close();
    },
  };
}
