import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEADLINE_MS } from "@org/testkit";

/** The relay command's entry point. */
export const RELAY_BIN = fileURLToPath(new URL("../bin/relay.js", import.meta.url));
/** This app's folder, where its dev dependencies (real SDKs) resolve from. */
export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));

/** A relay started as a separate process. */
export interface RelayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly dsn: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `relay run` in `cwd` and waits until it prints its DSN. */
export function startRelayProcess(cwd: string, args: readonly string[] = ["run", "--port", "0"], env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
  return startRelayProcessFrom(RELAY_BIN, cwd, { args, env });
}

/** Starts `relay run` from another copy of the relay (a deployed bundle, say). */
export function startRelayProcessFrom(
  bin: string,
  cwd: string,
  options: { readonly args?: readonly string[]; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<RelayProcess> {
  const { args = ["run", "--port", "0"], env = {} } = options;
  mkdirSync(cwd, { recursive: true });
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, RELAY_PORT: "", ...env }, stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the relay did not start within ${DEADLINE_MS} ms:\n${output}`));
    }, DEADLINE_MS);
    const onData = (): void => {
      const dsn = /DSN for your SDK:\s+(\S+)/.exec(output)?.[1];
      const url = /relay listening on (\S+)/.exec(output)?.[1];
      if (!url || (output.includes("in capture mode") && !dsn)) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolve({
        child,
        url,
        dsn: dsn ?? "",
        output: () => output,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          return exited;
        },
      });
    };
    child.stdout.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the relay exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
}

/** Runs a command of the relay to completion. */
export function runRelayCommand(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [RELAY_BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => { resolve({ code, stdout, stderr }); }));
}
