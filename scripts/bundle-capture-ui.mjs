// Part of @org/relay-core's build: copies capture mode's built web page (the private
// @org/capture-ui, a devDependency) into relay-core's dist/capture-ui, so the published relay-core
// serves the page without @org/capture-ui being installed. Run from relay-core's folder.
import { cpSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const packageDir = process.cwd();
const ui = join(dirname(createRequire(join(packageDir, "package.json")).resolve("@org/capture-ui/package.json")), "dist");
if (!existsSync(join(ui, "index.html"))) {
  process.stderr.write(`capture mode's web page is not built (no ${join(ui, "index.html")}): run pnpm --filter @org/capture-ui build\n`);
  process.exit(1);
}
const target = join(packageDir, "dist", "capture-ui");
rmSync(target, { recursive: true, force: true });
cpSync(ui, target, { recursive: true });
