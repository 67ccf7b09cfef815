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
 * The project's shared folder (specs, seeds, fixtures). It sits beside the repository;
 * `ORG_SHARED_DIR` points elsewhere. A missing folder is an error, never a skipped test.
 */
export function sharedDir(): string {
  const dir = process.env.ORG_SHARED_DIR ?? join(findRepoRoot(), "..", "shared");
  if (!existsSync(join(dir, "fixtures"))) {
    throw new Error(`shared fixtures not found in ${dir}; set ORG_SHARED_DIR to the shared folder`);
  }
  return dir;
}
