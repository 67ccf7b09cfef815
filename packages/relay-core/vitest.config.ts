import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@org/relay-core",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
