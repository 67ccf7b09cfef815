// `pnpm package-sizes [--write]`: each publishable package's size as users get it. Packs every
// package with `pnpm pack` (as `pnpm publish` would: `workspace:` ranges rewritten), then installs
// each tarball with plain npm in an empty project of its own (its @org dependencies from their
// tarballs, the rest from the registry, production dependencies only) and measures:
//   packed    the tarball's size
//   unpacked  the package's own files
//   installed everything that `npm install <package>` puts in node_modules, dependencies included
// Prints a Markdown table; `--write` also puts it in the README between the package-sizes marks.
// Run `pnpm build` first.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { betterSqlitePrebuildEnv, cleanNpmEnv, publishablePackages } from "./packages.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "package-sizes-"));
const say = (text) => process.stderr.write(`${text}\n`);

/** Bytes of the files under `dir` (their own sizes, not the blocks they take), and how many packages. */
function measure(dir) {
  let bytes = 0;
  let packages = 0;
  const visit = (path) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else {
      bytes += stat.size;
      if (path.endsWith("/package.json") && /node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(path)) packages += 1;
    }
  };
  visit(dir);
  return { bytes, packages };
}

const size = (bytes) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

try {
  const packages = publishablePackages(root);
  const tarballs = new Map();
  const rows = new Map();
  for (const pkg of packages) {
    const packed = JSON.parse(execFileSync("pnpm", ["pack", "--pack-destination", work, "--json"], { cwd: pkg.dir, env: cleanNpmEnv(), encoding: "utf8" }));
    tarballs.set(pkg.name, packed.filename);
    const unpacked = packed.files.reduce((sum, file) => sum + statSync(join(pkg.dir, file.path)).size, 0);
    rows.set(pkg.name, { packed: statSync(packed.filename).size, unpacked, files: packed.files.length });
  }
  const env = cleanNpmEnv({ ...betterSqlitePrebuildEnv(root, join(work, "prebuilds")), npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" });
  const internal = (name, seen = new Set()) => {
    if (seen.has(name)) return seen;
    seen.add(name);
    const pkg = packages.find((each) => each.name === name);
    for (const dependency of Object.keys(pkg.manifest.dependencies ?? {})) if (tarballs.has(dependency)) internal(dependency, seen);
    return seen;
  };
  for (const pkg of packages) {
    say(`installing ${pkg.name}`);
    const project = join(work, `install-${pkg.name.replace("/", "-")}`);
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "sizes", private: true }));
    const specs = [...internal(pkg.name)].map((name) => tarballs.get(name));
    execFileSync("npm", ["install", "--omit=dev", "--no-package-lock", ...specs], { cwd: project, env, stdio: ["ignore", "ignore", "inherit"] });
    const installed = measure(join(project, "node_modules"));
    Object.assign(rows.get(pkg.name), { installed: installed.bytes, packages: installed.packages });
  }
  const table = [
    "| package | packed | unpacked | installed (with dependencies) | packages installed |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...packages.map((pkg) => {
      const row = rows.get(pkg.name);
      return `| \`${pkg.name}\` | ${size(row.packed)} | ${size(row.unpacked)} (${row.files} files) | ${size(row.installed)} | ${row.packages} |`;
    }),
  ].join("\n");
  process.stdout.write(`${table}\n`);
  if (process.argv.includes("--write")) {
    const readme = join(root, "README.md");
    const text = readFileSync(readme, "utf8");
    const marks = /(<!-- package-sizes:start -->\n)[\s\S]*?(<!-- package-sizes:end -->)/;
    if (!marks.test(text)) throw new Error("README.md has no <!-- package-sizes:start --> ... <!-- package-sizes:end --> marks");
    writeFileSync(readme, text.replace(marks, `$1${table}\n$2`));
    say("README.md updated");
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
