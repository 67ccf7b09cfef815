// What the release check (packages/release-check) and `pnpm package-sizes` share: the workspace's
// publishable packages, and a local prebuild of better-sqlite3 so that installing the relay with
// npm takes the binary this workspace already built instead of compiling SQLite again (a download
// of the prebuilt binary is not possible here, and a compile takes minutes of CPU).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Every package of the workspace that is not private, sorted by name: `{ name, version, dir, manifest }`. */
export function publishablePackages(root) {
  const found = [];
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(root, group, entry.name);
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      if (manifest.private !== true) found.push({ name: manifest.name, version: manifest.version, dir, manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Packs the better-sqlite3 binary built in this workspace as the prebuild that its installer
 * (prebuild-install) looks for, in `into`, and returns the environment that points it there.
 */
export function betterSqlitePrebuildEnv(root, into) {
  const fromCore = createRequire(join(root, "packages", "relay-core", "package.json"));
  const packageDir = dirname(fromCore.resolve("better-sqlite3/package.json"));
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const stage = join(into, "stage");
  mkdirSync(join(stage, "build", "Release"), { recursive: true });
  copyFileSync(join(packageDir, "build", "Release", "better_sqlite3.node"), join(stage, "build", "Release", "better_sqlite3.node"));
  const tarball = join(into, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  execFileSync("tar", ["-czf", tarball, "-C", stage, "build"]);
  return { npm_config_better_sqlite3_local_prebuilds: into };
}

let machineGlobalConfig;

/**
 * The environment of a child npm or pnpm: this one's, without what the running pnpm set for its own
 * scripts. It names the machine's global npm config file (where a CA file or a proxy is often set)
 * explicitly: `npm install -g --prefix <elsewhere>` would otherwise look for it under that prefix.
 */
export function cleanNpmEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(key) && value !== undefined) env[key] = value;
  }
  machineGlobalConfig ??= execFileSync("npm", ["config", "get", "globalconfig"], { env, encoding: "utf8" }).trim();
  return { ...env, npm_config_globalconfig: machineGlobalConfig, ...extra };
}
