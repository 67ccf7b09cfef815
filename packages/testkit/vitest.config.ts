import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@org/testkit",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
