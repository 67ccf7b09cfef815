import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./semaphore-worker.js", import.meta.url));
/** The command holders run: it counts the holders of a lock dir and records violations. */
export const CHECK = fileURLToPath(new URL("./semaphore-check.sh", import.meta.url));

/** Runs `workers` contender processes of `count` acquisitions each; resolves to their JSON lines. */
export async function contend(options: { readonly config: (i: number) => string; readonly name: string; readonly slots: number; readonly ttlMs: number; readonly workers: number; readonly count: number; readonly lockDir: string }): Promise<{ acquired: number; retries: number }[]> {
  mkdirSync(options.lockDir, { recursive: true });
  const runs = Array.from({ length: options.workers }, (_, i) => {
    const child = spawn(process.execPath, [WORKER, options.config(i), options.name, String(options.slots), String(options.ttlMs), String(options.count), CHECK, options.lockDir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    return new Promise<{ acquired: number; retries: number }>((resolve, reject) => {
      child.once("close", (code) => {
        if (code === 0) resolve(JSON.parse(out) as { acquired: number; retries: number });
        else reject(new Error(`worker ${i} exited with ${code}:\n${err}`));
      });
    });
  });
  return Promise.all(runs);
}

/** The holder counts each check saw, and the violations it recorded. */
export function checked(lockDir: string): { counts: number[]; violations: string[] } {
  const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "") : []);
  return { counts: lines(`${lockDir}.counts`).map(Number), violations: lines(`${lockDir}.violations`) };
}

