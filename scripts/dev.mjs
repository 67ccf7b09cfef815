// `pnpm dev`: compiles the relay and the packages it uses in watch mode (`tsc -b --watch`) and runs
// the relay in capture mode from that output with Node's own `--watch`, which restarts it whenever
// a compiled file changes; capture mode's web page is rebuilt by `vite build --watch` beside them.
// Arguments go to `relay run` (`pnpm dev --port 3001`), except `--inspect` and its variants, which
// go to Node (for the "Attach to pnpm dev" debug configuration).
//
// The configuration is `.relay/dev/config.yml`, written on the first run: capture mode, pretty
// debug logs, and HTTPS on port 3443 when `scripts/dev-cert.sh` has made `.relay/tls`. Edit it
// freely; delete it to get the default again.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { viteBuildArgs } from "./capture-ui.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
// Dependencies first: tsc -b builds the projects in this order.
const projects = ["packages/protocol", "packages/identity", "packages/sdk", "packages/relay-core", "apps/relay"].map(
  (dir) => `${dir}/tsconfig.build.json`,
);
const configDir = join(root, ".relay", "dev");
const args = process.argv.slice(2);
const nodeArgs = args.filter((arg) => arg.startsWith("--inspect"));
const relayArgs = args.filter((arg) => !arg.startsWith("--inspect"));

function writeDevConfig() {
  const file = join(configDir, "config.yml");
  if (existsSync(file)) return file;
  const tls = existsSync(join(root, ".relay", "tls", "cert.pem"));
  const lines = [
    "# Written by `pnpm dev` (scripts/dev.mjs); edit freely, delete to get the default again.",
    "relay:",
    "  mode: capture",
    "  port: 3000",
    ...(tls ? ["  tls_port: 3443", "  tls_cert_path: ../tls/cert.pem", "  tls_key_path: ../tls/key.pem"] : []),
    "logging:",
    "  level: debug",
    "  format: pretty",
    "",
  ];
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, lines.join("\n"));
  return file;
}

const say = (text) => process.stdout.write(`\x1b[2m[dev]\x1b[0m ${text}\n`);
const children = new Set();
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  const exit = () => {
    if (children.size === 0) process.exit(code);
  };
  for (const child of children) child.once("exit", exit);
  exit();
}

function start(name, command, commandArgs, stdio) {
  const child = spawn(command, commandArgs, { cwd: root, stdio });
  children.add(child);
  child.once("exit", (code, signal) => {
    children.delete(child);
    if (!stopping) {
      say(`${name} stopped (${signal ?? `exit code ${String(code)}`}); stopping the rest`);
      stop(code ?? 1);
    }
  });
  return child;
}

const config = writeDevConfig();
say(`configuration: ${config}`);
say("compiling (tsc -b --watch); the relay starts once the first build is done");

const tsc = start(
  "tsc",
  process.execPath,
  [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "--watch", "--preserveWatchOutput", ...projects],
  ["ignore", "pipe", "inherit"],
);
// The web page at / is rebuilt by Vite on every change; the relay reads it from disk per request.
const vite = start("vite", process.execPath, viteBuildArgs(root, ["--watch"]), ["ignore", "pipe", "inherit"]);
vite.stdout.on("data", (chunk) => {
  process.stdout.write(chunk.toString().replace(/^(?=.)/gm, "\x1b[2m[vite]\x1b[0m "));
});
let relay;
tsc.stdout.on("data", (chunk) => {
  const text = chunk.toString();
  process.stdout.write(text.replace(/^(?=.)/gm, "\x1b[2m[tsc]\x1b[0m "));
  if (!relay && !stopping && text.includes("Watching for file changes")) {
    relay = start(
      "relay",
      process.execPath,
      [...nodeArgs, "--watch", "--watch-preserve-output", join(root, "apps", "relay", "bin", "relay.js"), "--config", configDir, "run", ...relayArgs],
      "inherit",
    );
  }
});

process.on("SIGINT", () => {
  stop(0);
});
process.on("SIGTERM", () => {
  stop(0);
});
