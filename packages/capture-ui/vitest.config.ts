import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@org/capture-ui",
    include: ["src/**/*.test.ts"],
  },
});
