import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@org/protocol",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
