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
  /**
   * What went wrong, worded as the original logs it (`exit status 7`, `signal: killed`, `exec:
   * "x": executable file not found in $PATH`); undefined when the script exited 0.
   */
  readonly error?: string | undefined;
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
  /** Aborting kills the script's whole process group (Ctrl-C, SIGTERM). */
  readonly signal?: AbortSignal | undefined;
}

/** What a script that never ran answers. */
function notStarted(error: string): ScriptResult {
  return { exitCode: -1, bytes: Buffer.alloc(0), output: "", truncated: false, error };
}

/** Kills a detached child's process group, or the child alone when the group is gone. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

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
  const name = command[0] ?? "";
  const file = await resolveCommand(name, options.searchPath ?? process.env.PATH);
  if (file === undefined) return notStarted(`exec: ${JSON.stringify(name)}: executable file not found in $PATH`);
  if (options.signal?.aborted) return notStarted("signal: killed");
  let pair: Awaited<ReturnType<typeof socketPair>>;
  try {
    pair = await socketPair();
  } catch (error) {
    return notStarted(`exec: ${(error as Error).message}`);
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
    const outcome = await new Promise<{ exitCode: number; error?: string | undefined }>((resolve) => {
      let killed = false;
      let child: ChildProcess;
      try {
        child = spawn(file, command.slice(1), {
          argv0: name,
          env: { ...options.env },
          stdio: ["ignore", writer, writer],
          detached: true,
          shell: false,
        });
      } catch (error) {
        // Node refuses some arguments before starting anything (a NUL byte, for one).
        writer.destroy();
        reader.destroy();
        resolve({ exitCode: -1, error: `exec: ${(error as Error).message}` });
        return;
      }
      // The child holds its own copies of the socket; ours must close for the reader to see the end.
      writer.destroy();
      const kill = (): void => {
        killed = true;
        killGroup(child);
      };
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(kill, Math.max(0, options.timeoutMs));
      options.signal?.addEventListener("abort", kill, { once: true });
      const settle = (result: { exitCode: number; error?: string | undefined }): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", kill);
        resolve(result);
      };
      child.once("error", (error) => {
        reader.destroy();
        settle({ exitCode: -1, error: `exec: ${error.message}` });
      });
      child.once("exit", (code, signal) => {
        if (killed || code === null) settle({ exitCode: -1, error: `signal: ${signal === "SIGTERM" ? "terminated" : "killed"}` });
        else settle({ exitCode: code, error: code === 0 ? undefined : `exit status ${code}` });
      });
    });
    await drained;
    const bytes = Buffer.concat(chunks);
    return { exitCode: outcome.exitCode, bytes, output: bytes.toString("utf8"), truncated, error: outcome.error };
  } finally {
    await pair.close();
  }
}
