// Capture mode's web page (packages/capture-ui) is built by Vite, not tsc: `pnpm start`, `pnpm relay`
// and `pnpm dev` build it here when its output is missing or older than its sources.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The package's folder. */
export function captureUiDir(root) {
  return join(root, "packages", "capture-ui");
}

function newestSource(dir) {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const name of ["src", "index.html", "vite.config.ts", "package.json"]) {
    if (existsSync(join(dir, name))) visit(join(dir, name));
  }
  return newest;
}

/** Whether the built page is missing or older than a source file. */
export function captureUiStale(root) {
  const dir = captureUiDir(root);
  const built = join(dir, "dist", "index.html");
  return !existsSync(built) || statSync(built).mtimeMs < newestSource(dir);
}

/** Node's arguments that run Vite's build of the package, from any folder (`--watch` and such after). */
export function viteBuildArgs(root, extra = []) {
  const dir = captureUiDir(root);
  return [join(dir, "node_modules", "vite", "bin", "vite.js"), "build", dir, "--logLevel", "warn", ...extra];
}
