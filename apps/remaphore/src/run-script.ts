import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a script did. */
export interface ScriptResult {
  /** Its exit code; -1 when it could not start or was killed. */
  readonly exitCode: number;
  /** stdout and stderr, interleaved exactly as written, up to the cap. */
  readonly output: string;
  /** Whether output beyond the cap was dropped. */
  readonly truncated: boolean;
}

/** Options of {@link runScript}. */
export interface ScriptOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Kill the script (and its process group) after this long. */
  readonly timeoutMs?: number | undefined;
  /** Most bytes of output kept. */
  readonly maxOutputBytes: number;
}

/**
 * One connected socket pair. The child gets the same socket as stdout and stderr, so its two
 * streams keep the order they were written in, as one pipe would; the relay reads the other end.
 */
async function socketPair(): Promise<{ reader: Socket; writer: Socket; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "remaphore-"));
  const path = join(dir, "output.sock");
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const writer = connect(path);
  await new Promise<void>((resolve, reject) => {
    writer.once("connect", resolve);
    writer.once("error", reject);
  });
  const reader = await accepted;
  return {
    reader,
    writer,
    close: async () => {
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a command directly (never through a shell) in its own process group, with exactly the
 * given environment, collecting stdout and stderr together in the order written.
 */
export async function runScript(command: readonly string[], options: ScriptOptions): Promise<ScriptResult> {
  const pair = await socketPair();
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  pair.reader.on("data", (chunk: Buffer) => {
    const room = options.maxOutputBytes - size;
    if (chunk.length > room) truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(kept);
    size += kept.length;
  });
  const drained = new Promise<void>((resolve) => {
    pair.reader.once("close", () => {
      resolve();
    });
  });
  try {
    const exitCode = await new Promise<number>((resolve) => {
      let killed = false;
      const child = spawn(command[0]!, command.slice(1), {
        env: { ...options.env },
        stdio: ["ignore", pair.writer, pair.writer],
        detached: true,
        shell: false,
      });
      // The child holds its own copies of the socket; ours must close for the reader to see the end.
      pair.writer.destroy();
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              killed = true;
              try {
                if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
              } catch {
                child.kill("SIGKILL");
              }
            }, Math.max(0, options.timeoutMs));
      child.once("error", () => {
        clearTimeout(timer);
        pair.reader.destroy();
        resolve(-1);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(killed || code === null ? -1 : code);
      });
    });
    await drained;
    return { exitCode, output: Buffer.concat(chunks).toString("utf8"), truncated };
  } finally {
    await pair.close();
  }
}
