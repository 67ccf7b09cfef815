import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

/**
 * The one deadline of a test: process-level tests wait on events (a log line, a port, a message,
 * a file), never on fixed sleeps, so a test only takes this long when something is broken. It is
 * generous because `pnpm check` shares two cores with builds, linters and other suites.
 */
export const TEST_DEADLINE_MS = 300_000;

/** Settings of one package's vitest project, shared by every package. */
export function packageProject(name: string): ReturnType<typeof defineProject> {
  return defineProject({
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: TEST_DEADLINE_MS,
      hookTimeout: TEST_DEADLINE_MS,
      // Fixed runs and a printed seed for every fast-check property (see the file).
      setupFiles: [fileURLToPath(new URL("./vitest.fast-check.ts", import.meta.url))],
      // Suites that start real processes (relays, nats-server, SDKs in child processes) say so
      // with `// @module-tag e2e`; `pnpm check` runs them, `vitest run --tags-filter='!e2e'` skips them.
      tags: [{ name: "e2e", description: "starts real processes or servers and waits on them" }],
      // Files of one package run one after the other: turbo already runs packages side by side,
      // and two cores do not take more (see README, "Tests on a busy machine").
      fileParallelism: false,
      maxWorkers: 1,
    },
  });
}
