import { describe, expect, it } from "vitest";
import { libuvThreads, threadPoolShortfall } from "../../../src/authn/htpasswd/bcrypt-addon.js";

describe("libuv's thread pool beside bcrypt", () => {
  it("reads UV_THREADPOOL_SIZE as libuv does: 4 when unset, atoi's number, 1 for none, 1024 at most", () => {
    // Each as Node.js 24's libuv started its pool (threads counted in /proc/self/task before and after a read).
    const started: ReadonlyArray<readonly [string | undefined, number]> = [
      [undefined, 4],
      ["8", 8],
      [" 6", 6],
      ["8x", 8],
      ["many", 1],
      ["", 1],
      ["0", 1],
      ["-1", 1024],
      ["5000", 1024],
    ];
    for (const [value, threads] of started) {
      expect(libuvThreads(value === undefined ? {} : { UV_THREADPOOL_SIZE: value })).toBe(threads);
    }
  });

  it("says nothing while the hash workers leave two threads free, and names the setting once they do not", () => {
    expect(threadPoolShortfall(2, {})).toBeUndefined();
    expect(threadPoolShortfall(6, { UV_THREADPOOL_SIZE: "8" })).toBeUndefined();
    expect(threadPoolShortfall(3, {})).toBe(
      "htpasswd.hashing.workers is 3 and libuv's thread pool has 4 threads: bcrypt hashes can take all but 1 from file reads, log writes and DNS lookups; set UV_THREADPOOL_SIZE=5",
    );
    expect(threadPoolShortfall(8, { UV_THREADPOOL_SIZE: "4" })).toMatch(/all but 0 .*UV_THREADPOOL_SIZE=10$/);
    expect(threadPoolShortfall(1, { UV_THREADPOOL_SIZE: "0" })).toMatch(/has 1 thread: .*all but 0 /);
  });
});
