import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

/**
 * The one deadline of a test: process-level tests wait on events (a log line, a port, a message,
 * a file), never on fixed sleeps, so a test only takes this long when something is broken. It is
 * generous because `pnpm check` shares two cores with builds, linters and other suites.
 */
export const TEST_DEADLINE_MS = 300_000;

/** What a package may change of the shared settings. */
export interface PackageProjectOptions {
  /**
   * Workers running the package's files side by side (1 by default: one after the other). For a
   * package of process-level suites that spend their time waiting on the processes they start.
   */
  readonly workers?: number;
}

/** Settings of one package's vitest project, shared by every package. */
export function packageProject(name: string, options: PackageProjectOptions = {}): ReturnType<typeof defineProject> {
  const workers = options.workers ?? 1;
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
      // Files of one package run one after the other in one worker process that keeps its module
      // cache: turbo already runs packages side by side, two cores do not take more, and importing
      // the package and its dependencies again for every file cost more than the tests of most
      // files (see README, "Tests on a busy machine"). Every file cleans up what it starts.
      fileParallelism: workers > 1,
      maxWorkers: workers,
      isolate: false,
    },
  });
}
