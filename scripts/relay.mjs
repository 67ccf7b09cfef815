// `pnpm relay <command>` and `pnpm start` (= `pnpm relay run`): builds the relay and the packages it
// runs on (nothing else), then runs the relay command line with the arguments given
// (`pnpm start --port 3001`, `pnpm relay config init`). Ctrl-C or SIGTERM stops the relay
// gracefully and this script exits with the relay's own exit code, so a clean stop is a clean exit.
// What this script says goes to stderr, so the command's own output can be piped.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { captureUiStale, viteBuildArgs } from "./capture-ui.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
// The relay's workspace dependencies, dependencies first: tsc -b builds them in this order and
// skips what is already up to date.
const packages = ["packages/protocol", "packages/identity", "packages/sdk", "packages/relay-core", "apps/relay"];
const args = process.argv.slice(2);
const say = (text) => process.stderr.write(`\x1b[2m[relay]\x1b[0m ${text}\n`);

let child;
let stopSignal;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopSignal ??= signal;
    // A terminal's Ctrl-C reaches the whole process group; a signal sent to this process alone is
    // passed on, so stopping pnpm stops the relay.
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
    else if (!child) process.exit(130);
  });
}

function run(command, args, stdio) {
  child = spawn(command, args, { cwd: root, stdio });
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

const started = performance.now();
say(`building the relay and the packages it uses (${[...packages.map((dir) => dir.split("/")[1]), "capture-ui"].join(", ")})`);
const built = await run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", ...packages.map((dir) => `${dir}/tsconfig.build.json`)], ["ignore", process.stderr, process.stderr]);
if (stopSignal) process.exit(130);
if (built !== 0) {
  say("the build failed (above); nothing was started");
  process.exit(built);
}
if (captureUiStale(root)) {
  say("building capture mode's web page (capture-ui)");
  const page = await run(process.execPath, viteBuildArgs(root), ["ignore", process.stderr, process.stderr]);
  if (stopSignal) process.exit(130);
  if (page !== 0) {
    say("the web page's build failed (above); nothing was started");
    process.exit(page);
  }
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
say(args[0] === "run" ? `built in ${seconds} s; starting the relay (Ctrl-C stops it)` : `built in ${seconds} s`);
const code = await run(process.execPath, [join(root, "apps", "relay", "bin", "relay.js"), ...args], "inherit");
process.exit(code);
