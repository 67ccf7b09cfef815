// @module-tag e2e
// The release flow as a maintainer runs it and as a user meets it: on a copy of this repository,
// `pnpm changeset version` and `pnpm changeset publish` to a real registry (Verdaccio on a free
// loopback port, its storage in a temporary folder), then plain npm installs what was published,
// outside the workspace, and uses it: each library's README example compiled under `nodenext` and
// `bundler` and run, the relay installed globally taking an event from @sentry/node, remaphore's
// `-C`.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { findRepoRoot, freePort, waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { betterSqlitePrebuildEnv, cleanNpmEnv, publishablePackages } from "../../../scripts/packages.mjs";

const root = findRepoRoot();
const PUBLIC = ["@org/identity", "@org/messaging", "@org/protocol", "@org/relay", "@org/relay-core", "@org/remaphore", "@org/sdk"];
const PRIVATE = ["@org/capture-ui", "@org/release-check", "@org/testkit"];
const LIBRARIES = ["@org/protocol", "@org/identity", "@org/messaging", "@org/sdk", "@org/relay-core"];
/** Build and test tooling that must never be in the relay's production install. */
const DEV_TOOLING = ["typescript", "vitest", "@sentry/cli", "rolldown", "vite", "esbuild", "eslint", "playwright-core", "@org/testkit", "@org/capture-ui"];
/** Top-level folders of the repository that the copy leaves out. */
const NOT_COPIED = new Set([".git", "node_modules", ".turbo", ".relay", "tmp", "coverage"]);

interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** Commands still running: stopped when the suite ends, also when a step ran out of time. */
const running = new Set<ChildProcess>();

/** Runs a command to completion (no shell); a non-zero exit fails with everything it printed. */
function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { ...options, maxBuffer: 256 * 2 ** 20 }, (error, stdout, stderr) => {
      running.delete(child);
      if (error) reject(new Error(`${command} ${args.join(" ")} (in ${options.cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
    running.add(child);
  });
}

/** Names of every package installed under a `node_modules` folder, at any depth. */
function installedNames(nodeModules: string): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      if (entry.name.startsWith("@")) {
        for (const scoped of readdirSync(join(dir, entry.name), { withFileTypes: true })) {
          if (!scoped.isDirectory()) continue;
          names.add(`${entry.name}/${scoped.name}`);
          visit(join(dir, entry.name, scoped.name, "node_modules"));
        }
      } else {
        names.add(entry.name);
        visit(join(dir, entry.name, "node_modules"));
      }
    }
  };
  visit(nodeModules);
  return names;
}

/** Seconds each step took, printed at the end. */
const timings: [string, number][] = [];
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await body();
  } finally {
    timings.push([name, (performance.now() - started) / 1000]);
  }
}

describe("the release flow, from changesets to a user's install", () => {
  const work = mkdtempSync(join(tmpdir(), "release-check-"));
  const repo = join(work, "repo");
  const consumer = join(work, "consumer");
  const globalPrefix = join(work, "global");
  const npmrc = join(work, "npmrc");
  let registry: ChildProcess | undefined;
  let registryLog = "";
  let registryUrl = "";
  let env: NodeJS.ProcessEnv = {};
  /** The versions `changeset version` gave, by package name. */
  const versions = new Map<string, string>();

  beforeAll(async () => {
    // The registry: Verdaccio with its own storage, users file and config, nothing proxied, so
    // every @org package a later step installs can only come from what this test published.
    const port = await freePort();
    registryUrl = `http://127.0.0.1:${port}/`;
    const config = join(work, "verdaccio", "config.yaml");
    mkdirSync(dirname(config), { recursive: true });
    writeFileSync(
      config,
      [
        `storage: ${JSON.stringify(join(work, "verdaccio", "storage"))}`,
        "auth:",
        "  htpasswd:",
        `    file: ${JSON.stringify(join(work, "verdaccio", "htpasswd"))}`,
        "    max_users: 10",
        "uplinks: {}",
        "packages:",
        "  '**':",
        "    access: $all",
        "    publish: $authenticated",
        "web:",
        "  enable: false",
        "log: { type: stdout, format: pretty, level: warn }",
        "",
      ].join("\n"),
    );
    const verdaccioDir = dirname(createRequire(import.meta.url).resolve("verdaccio/package.json"));
    const { bin } = JSON.parse(readFileSync(join(verdaccioDir, "package.json"), "utf8")) as { bin: string | Record<string, string> };
    registry = spawn(process.execPath, [join(verdaccioDir, typeof bin === "string" ? bin : bin.verdaccio!), "--config", config, "--listen", `127.0.0.1:${port}`], { stdio: "pipe", env: cleanNpmEnv() });
    registry.stdout!.on("data", (chunk: Buffer) => (registryLog += chunk.toString()));
    registry.stderr!.on("data", (chunk: Buffer) => (registryLog += chunk.toString()));
    await waitUntil(
      async () => {
        if (registry?.exitCode !== null) throw new Error(`verdaccio exited:\n${registryLog}`);
        return (await fetch(`${registryUrl}-/ping`).catch(() => undefined))?.ok === true;
      },
      "the registry to answer",
      { everyMs: 100, detail: () => registryLog },
    );
    // A user, as `npm adduser` makes one, and its token for publishing.
    const user = await fetch(`${registryUrl}-/user/org.couchdb.user:release-check`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "release-check", password: randomUUID() }),
    });
    expect(user.status).toBe(201);
    const { token } = (await user.json()) as { token: string };
    const host = registryUrl.replace(/^http:/, "");
    // A stalled request to the public registry is retried after a minute instead of npm's five.
    const settings = [`@org:registry=${registryUrl}`, `${host}:_authToken=${token}`, "fund=false", "audit=false", "update-notifier=false", "fetch-timeout=60000", "fetch-retries=4", "fetch-retry-maxtimeout=10000", ""].join("\n");
    // On top of the user's own settings (a CA file, a proxy), which this file replaces for npm.
    const userNpmrc = join(homedir(), ".npmrc");
    writeFileSync(npmrc, `${existsSync(userNpmrc) ? `${readFileSync(userNpmrc, "utf8")}\n` : ""}${settings}`, { mode: 0o600 });
    env = cleanNpmEnv({ npm_config_userconfig: npmrc, ...betterSqlitePrebuildEnv(root, join(work, "prebuilds")) });

    // The copy of the repository, with its builds, as a git repository of its own.
    cpSync(root, repo, {
      recursive: true,
      filter: (source) => {
        const parts = relative(root, source).split(sep);
        return !NOT_COPIED.has(parts[0]!) && !parts.includes("node_modules") && !parts.includes(".turbo");
      },
    });
    writeFileSync(join(repo, ".npmrc"), `${readFileSync(join(root, ".npmrc"), "utf8")}\n${settings}`, { mode: 0o600 });
    // As a maintainer's checkout has it: `pnpm publish` takes the versions that replace
    // `workspace:` ranges from the installed workspace links. From the store only, no builds.
    await step("pnpm install", () => run("pnpm", ["install", "--offline", "--frozen-lockfile", "--ignore-scripts"], { cwd: repo, env }));
    const git = ["-c", "user.name=Release Check", "-c", "user.email=release-check@example.invalid"];
    await run("git", ["init", "-q", "-b", "main"], { cwd: repo, env });
    await run("git", ["add", "-A"], { cwd: repo, env });
    await run("git", [...git, "commit", "-q", "-m", "before the release"], { cwd: repo, env });
  });

  afterAll(async () => {
    for (const child of running) child.kill("SIGKILL");
    if (registry?.exitCode === null) {
      const exited = new Promise((resolve) => registry!.once("exit", resolve));
      registry.kill("SIGTERM");
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
    console.log(`release check steps (s): ${timings.map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`).join(", ")}`);
  });

  it("publishes exactly the public packages, with internal ranges rewritten to the new versions", async () => {
    expect(publishablePackages(repo).map((pkg) => pkg.name)).toEqual(PUBLIC);
    const before = new Map(publishablePackages(repo).map((pkg) => [pkg.name, pkg.version]));
    // A patch for every public package, so the flow has something to release whatever is pending.
    writeFileSync(join(repo, ".changeset", "release-check.md"), `---\n${PUBLIC.map((name) => `"${name}": patch`).join("\n")}\n---\n\nThe release check's own release.\n`);

    await step("changeset version", () => run("pnpm", ["changeset", "version"], { cwd: repo, env }));
    for (const pkg of publishablePackages(repo)) {
      expect(pkg.version, pkg.name).not.toBe(before.get(pkg.name));
      expect(readFileSync(join(pkg.dir, "CHANGELOG.md"), "utf8")).toContain("The release check's own release.");
      versions.set(pkg.name, pkg.version);
      // Inside the repository, internal dependencies stay on the workspace protocol.
      for (const [name, range] of Object.entries(pkg.manifest.dependencies ?? {})) {
        if (name.startsWith("@org/")) expect(range, `${pkg.name} → ${name}`).toBe("workspace:^");
      }
    }

    const published = await step("changeset publish", () => run("pnpm", ["changeset", "publish"], { cwd: repo, env }));
    const said = published.stdout + published.stderr;
    for (const name of PUBLIC) expect(said).toContain(`${name}@${versions.get(name)!}`);
    const tags = (await run("git", ["tag", "--list"], { cwd: repo, env })).stdout.split("\n");
    for (const name of PUBLIC) expect(tags).toContain(`${name}@${versions.get(name)!}`);

    for (const name of PUBLIC) {
      const response = await fetch(`${registryUrl}${name.replace("/", "%2f")}`);
      expect(response.status, name).toBe(200);
      const packument = (await response.json()) as { versions: Record<string, { dependencies?: Record<string, string> }> };
      const manifest = packument.versions[versions.get(name)!];
      expect(manifest, `${name}@${versions.get(name)!}`).toBeDefined();
      expect(JSON.stringify(manifest)).not.toContain("workspace:");
      for (const [dependency, range] of Object.entries(manifest!.dependencies ?? {})) {
        if (dependency.startsWith("@org/")) expect(range, `${name} → ${dependency}`).toBe(`^${versions.get(dependency)!}`);
      }
    }
    for (const name of PRIVATE) expect((await fetch(`${registryUrl}${name.replace("/", "%2f")}`)).status, name).toBe(404);
  });

  it("a project outside the workspace installs the libraries with npm, compiles their examples under nodenext and bundler, and runs them", async () => {
    mkdirSync(join(consumer, "examples"), { recursive: true });
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const devRange = (dir: string, name: string): string => {
      const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      return manifest.dependencies?.[name] ?? manifest.devDependencies![name]!;
    };
    await step("consumer npm install", () =>
      run(
        "npm",
        [
          "install",
          ...LIBRARIES.map((name) => `${name}@${versions.get(name)!}`),
          `pino@${devRange("packages/relay-core", "pino")}`,
          `@sentry/node@${devRange("apps/relay", "@sentry/node")}`,
          `@types/node@${devRange(".", "@types/node")}`,
        ],
        { cwd: consumer, env },
      ),
    );

    // Each library's README example, as published.
    for (const name of LIBRARIES) {
      const readme = readFileSync(join(consumer, "node_modules", name, "README.md"), "utf8");
      const example = /```ts example\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(example, `${name}'s README has an example`).toMatch(/from "@org\//);
      writeFileSync(join(consumer, "examples", `${name.slice("@org/".length)}.ts`), example!);
    }
    // The packages' own declarations are checked by `pnpm lint:packages` (arethetypeswrong).
    const compilerOptions = { target: "ES2023", lib: ["ES2023"], types: ["node"], strict: true, skipLibCheck: true };
    writeFileSync(join(consumer, "tsconfig.nodenext.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, module: "nodenext", moduleResolution: "nodenext", rootDir: "examples", outDir: "out" }, include: ["examples"] }));
    writeFileSync(join(consumer, "tsconfig.bundler.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, module: "esnext", moduleResolution: "bundler", noEmit: true }, include: ["examples"] }));
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await step("tsc nodenext", () => run(process.execPath, [tsc, "-p", "tsconfig.nodenext.json"], { cwd: consumer, env }));
    await step("tsc bundler", () => run(process.execPath, [tsc, "-p", "tsconfig.bundler.json"], { cwd: consumer, env }));
    await step("examples", async () => {
      for (const name of LIBRARIES) {
        const { stdout } = await run(process.execPath, [join("out", `${name.slice("@org/".length)}.js`)], { cwd: consumer, env });
        expect(stdout.trim(), name).not.toBe("");
      }
    });
  });

  it("the relay installed globally with npm has no dev tooling in its tree and takes an event from @sentry/node", async () => {
    await step("npm install -g", () => run("npm", ["install", "-g", "--prefix", globalPrefix, `@org/relay@${versions.get("@org/relay")!}`, `@org/remaphore@${versions.get("@org/remaphore")!}`], { cwd: work, env }));
    const relayDir = join(globalPrefix, "lib", "node_modules", "@org", "relay");
    const tree = installedNames(join(relayDir, "node_modules"));
    expect(tree).toContain("@org/relay-core");
    expect(tree).toContain("fastify");
    expect(tree).toContain("better-sqlite3");
    expect(DEV_TOOLING.filter((name) => tree.has(name))).toEqual([]);
    expect([...tree].filter((name) => name.startsWith("@rolldown/") || name.startsWith("@vitest/") || name.startsWith("@esbuild/"))).toEqual([]);

    const relayBin = join(globalPrefix, "bin", "relay");
    expect((await run(relayBin, ["--version"], { cwd: work, env })).stdout).toContain(versions.get("@org/relay")!);
    const home = join(work, "relay-home");
    mkdirSync(home);
    const relay = spawn(relayBin, ["run", "--host", "127.0.0.1", "--port", "0"], { cwd: home, env: { ...env, RELAY_PORT: "" }, stdio: "pipe" });
    let output = "";
    relay.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    relay.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => relay.once("exit", resolve));
    try {
      await waitUntil(
        () => {
          if (relay.exitCode !== null) throw new Error(`the relay exited with ${relay.exitCode}:\n${output}`);
          return /DSN for your SDK:\s+\S+/.test(output);
        },
        "the relay to print its DSN",
        { detail: () => output },
      );
      const dsn = /DSN for your SDK:\s+(\S+)/.exec(output)![1]!;
      const url = /relay listening on (\S+)/.exec(output)![1]!;

      const message = `hello from the published relay ${randomUUID()}`;
      writeFileSync(
        join(consumer, "send.mjs"),
        [
          'import * as Sentry from "@sentry/node";',
          "Sentry.init({ dsn: process.env.SENTRY_DSN });",
          "Sentry.captureMessage(process.env.MESSAGE);",
          "if (!(await Sentry.close(120_000))) process.exit(2);",
          "",
        ].join("\n"),
      );
      await step("@sentry/node send", () => run(process.execPath, ["send.mjs"], { cwd: consumer, env: { ...env, SENTRY_DSN: dsn, MESSAGE: message } }));
      await waitUntil(
        async () => {
          const listing = (await (await fetch(`${url}/api/relay/events/`)).json()) as { events: { title: string }[] };
          return listing.events.some((event) => event.title.includes(message));
        },
        "the event in the relay's capture listing",
        { everyMs: 100, detail: () => output },
      );
      // The capture page's built files came with the published relay-core.
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const script = /src="\.\/assets\/([\w.-]+\.js)"/.exec(await page.text())?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${url}/assets/${script!}`)).status).toBe(200);
    } finally {
      if (relay.exitCode === null) relay.kill("SIGTERM");
    }
    expect(await exited, output).toBe(0);
  });

  it("remaphore installed globally with npm writes an example config around a fresh identity with -C", async () => {
    const { stdout } = await run(join(globalPrefix, "bin", "remaphore"), ["-C"], { cwd: work, env });
    expect(stdout).toMatch(/^default_identity: [1-9A-HJ-NP-Za-km-z]{32,44}$/m);
    expect(stdout).toContain("[ Identities ]");
  });
});
