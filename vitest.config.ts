import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/support/private-tmp.global.ts"],
          exclude: ["test/e2e/**", "test/chart/**", "test/browser/**"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/private-tmp.global.ts", "test/e2e/support/cluster.global.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "chart",
          include: ["test/chart/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          globalSetup: ["test/support/private-tmp.global.ts", "test/e2e/support/cluster.global.ts"],
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/support/private-tmp.global.ts", "test/browser/support/browser.global.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
