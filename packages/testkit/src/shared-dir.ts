import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Finds the repository root: the nearest ancestor holding `pnpm-workspace.yaml`. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/**
 * The folder holding the test data (`fixtures/`: recorded SDK requests, captured remaphore
 * messages). The repository keeps its own copy in `packages/testkit/fixtures`, so a bare clone
 * can run every test; `ORG_SHARED_DIR` points at another folder holding `fixtures/`. A missing
 * folder is an error, never a skipped test.
 */
export function sharedDir(): string {
  const dir = process.env.ORG_SHARED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "..");
  if (!existsSync(join(dir, "fixtures"))) {
    throw new Error(`test fixtures not found in ${join(dir, "fixtures")}; set ORG_SHARED_DIR to a folder holding fixtures/`);
  }
  return dir;
}
