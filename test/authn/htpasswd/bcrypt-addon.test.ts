import { describe, expect, it } from "vitest";
import { libuvThreads, threadPoolShortfall } from "../../../src/authn/htpasswd/bcrypt-addon.js";

describe("libuv's thread pool beside bcrypt", () => {
  it("reads UV_THREADPOOL_SIZE as libuv does, 4 when unset or not a count", () => {
    expect(libuvThreads({})).toBe(4);
    expect(libuvThreads({ UV_THREADPOOL_SIZE: "8" })).toBe(8);
    expect(libuvThreads({ UV_THREADPOOL_SIZE: "many" })).toBe(4);
    expect(libuvThreads({ UV_THREADPOOL_SIZE: "0" })).toBe(4);
    expect(libuvThreads({ UV_THREADPOOL_SIZE: "5000" })).toBe(1024);
  });

  it("says nothing while the hash workers leave two threads free, and names the setting once they do not", () => {
    expect(threadPoolShortfall(2, {})).toBeUndefined();
    expect(threadPoolShortfall(6, { UV_THREADPOOL_SIZE: "8" })).toBeUndefined();
    expect(threadPoolShortfall(3, {})).toBe(
      "htpasswd.hashing.workers is 3 and libuv's thread pool has 4 threads: bcrypt hashes can take all but 1 from file reads, log writes and DNS lookups; set UV_THREADPOOL_SIZE=5",
    );
    expect(threadPoolShortfall(8, { UV_THREADPOOL_SIZE: "4" })).toMatch(/all but 0 .*UV_THREADPOOL_SIZE=10$/);
  });
});
