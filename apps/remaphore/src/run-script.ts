import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, rm, stat } from "node:fs/promises";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";

/** What a script did. */
export interface ScriptResult {
  /** Its exit code; -1 when it could not start or was killed. */
  readonly exitCode: number;
  /** stdout and stderr, interleaved exactly as written, up to the cap: the bytes, unchanged. */
  readonly bytes: Buffer;
  /** {@link bytes} read as UTF-8, for logs; bytes that are not UTF-8 come out as U+FFFD. */
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
  /** Where a bare command name is looked for, `:`-separated; the caller's PATH when not given. */
  readonly searchPath?: string | undefined;
}

/** What a script that never ran answers. */
const NOT_STARTED: ScriptResult = { exitCode: -1, bytes: Buffer.alloc(0), output: "", truncated: false };

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile() || (info.mode & 0o111) === 0) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the file a command name runs, as the original does before it starts a script: a name with
 * a `/` is used as it is; any other name is looked up in the entries of `searchPath` (the caller's
 * PATH, an empty entry meaning the current directory), first executable regular file wins. A match
 * that is not an absolute path (from `.` or another relative entry) is refused, as Go refuses it.
 * Returns undefined when nothing runnable is found.
 */
export async function resolveCommand(name: string, searchPath: string | undefined): Promise<string | undefined> {
  if (name === "") return undefined;
  if (name.includes("/")) return name;
  if (searchPath === undefined || searchPath === "") return undefined;
  for (const entry of searchPath.split(":")) {
    const candidate = join(entry === "" ? "." : entry, name);
    if (await isExecutableFile(candidate)) return isAbsolute(candidate) ? candidate : undefined;
  }
  return undefined;
}

/**
 * The reply a receiver sends for a script: `<exit code>,<output>`, the output's bytes unchanged,
 * with a line saying so when output beyond `maxOutputBytes` was dropped.
 */
export function scriptReply(result: ScriptResult, maxOutputBytes: number): Buffer {
  const note = result.truncated ? `\n[output truncated at ${maxOutputBytes} bytes]` : "";
  return Buffer.concat([Buffer.from(`${result.exitCode},`), result.bytes, Buffer.from(note)]);
}

/**
 * One connected socket pair. The child gets the same socket as stdout and stderr, so its two
 * streams keep the order they were written in, as one pipe would; the relay reads the other end.
 */
async function socketPair(): Promise<{ reader: Socket; writer: Socket; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "remaphore-"));
  const path = join(dir, "output.sock");
  const server: Server = createServer();
  let writer: Socket | undefined;
  const close = async (): Promise<void> => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
    const connecting = connect(path);
    writer = connecting;
    await new Promise<void>((resolve, reject) => {
      connecting.once("connect", resolve);
      connecting.once("error", reject);
    });
    const reader = await accepted;
    return { reader, writer: connecting, close };
  } catch (error) {
    writer?.destroy();
    await close();
    throw error;
  }
}

/**
 * Runs a command directly (never through a shell) in its own process group, with exactly the
 * given environment, collecting stdout and stderr together in the order written. A bare command
 * name is looked up with {@link resolveCommand} on the caller's PATH, not on the script's
 * environment, which holds only what `env` gives. A command that is not found or cannot start (including
 * arguments or environment values Node cannot pass, such as ones holding a NUL byte) answers -1.
 */
export async function runScript(command: readonly string[], options: ScriptOptions): Promise<ScriptResult> {
  const file = await resolveCommand(command[0] ?? "", options.searchPath ?? process.env.PATH);
  if (file === undefined) return NOT_STARTED;
  let pair: Awaited<ReturnType<typeof socketPair>>;
  try {
    pair = await socketPair();
  } catch {
    return NOT_STARTED;
  }
  const { reader, writer } = pair;
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  reader.on("data", (chunk: Buffer) => {
    const room = options.maxOutputBytes - size;
    if (chunk.length > room) truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(kept);
    size += kept.length;
  });
  const drained = new Promise<void>((resolve) => {
    reader.once("close", () => {
      resolve();
    });
  });
  try {
    const exitCode = await new Promise<number>((resolve) => {
      let killed = false;
      let child: ChildProcess;
      try {
        child = spawn(file, command.slice(1), {
          argv0: command[0],
          env: { ...options.env },
          stdio: ["ignore", writer, writer],
          detached: true,
          shell: false,
        });
      } catch {
        // Node refuses some arguments before starting anything (a NUL byte, for one).
        writer.destroy();
        reader.destroy();
        resolve(-1);
        return;
      }
      // The child holds its own copies of the socket; ours must close for the reader to see the end.
      writer.destroy();
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
        reader.destroy();
        resolve(-1);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(killed || code === null ? -1 : code);
      });
    });
    await drained;
    const bytes = Buffer.concat(chunks);
    return { exitCode, bytes, output: bytes.toString("utf8"), truncated };
  } finally {
    await pair.close();
  }
}
