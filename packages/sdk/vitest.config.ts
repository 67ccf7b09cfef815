import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@org/sdk",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Property tests and process-level tests share two cores with the rest of the build.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
