import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCommand, runScript, scriptReply } from "./run-script.js";

const sh = (body: string): string[] => ["/bin/sh", "-c", body];

/** Whether a process has ended (gone, or a zombie nobody has reaped yet). */
function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").startsWith("Z");
  } catch {
    return true;
  }
}

/** Polls until `probe` gives a value, under the one generous deadline of `waitUntil`. */
async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  let value: T | undefined;
  await waitUntil(() => (value = probe()) !== undefined, what);
  return value as T;
}

/** Sockets, servers and processes Node holds open. */
const openHandles = (): string[] => process.getActiveResourcesInfo().filter((kind) => /Pipe|TCP|Process/.test(kind)).sort();

describe("runScript", () => {
  let dir: string;
  const script = (path: string, body: string, mode = 0o755): string => {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, mode);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "remaphore-run-script-"));
    for (const sub of ["a", "b", "c"]) mkdirSync(join(dir, sub));
    script(join(dir, "a", "hello.sh"), 'echo "hello from a: $1"');
    script(join(dir, "b", "hello.sh"), 'echo "hello from b: $1"');
    script(join(dir, "a", "plain.sh"), "echo plain", 0o644);
    script(join(dir, "b", "plain.sh"), "echo plain from b");
    mkdirSync(join(dir, "a", "folder.sh"));
    script(join(dir, "c", "folder.sh"), "echo folder from c");
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps stdout and stderr in the order written, with the exit code", async () => {
    const result = await runScript(sh('printf "a\\n"; printf "b\\n" >&2; printf "c"; exit 7'), { env: {}, maxOutputBytes: 1000 });
    expect(result).toEqual({ exitCode: 7, bytes: Buffer.from("a\nb\nc"), output: "a\nb\nc", truncated: false, error: "exit status 7" });
  });

  it("passes exactly the environment given", async () => {
    const result = await runScript(["/usr/bin/env"], { env: { REMAPHORE_VERB: "ping" }, maxOutputBytes: 1000 });
    expect(result.output).toBe("REMAPHORE_VERB=ping\n");
  });

  it("answers -1 for a command that cannot start", async () => {
    expect(await runScript(["/nonexistent/script"], { env: {}, maxOutputBytes: 1000 })).toMatchObject({ exitCode: -1, bytes: Buffer.alloc(0), output: "", truncated: false });
    expect((await runScript([join(dir, "a", "plain.sh")], { env: {}, maxOutputBytes: 1000 })).exitCode).toBe(-1);
  });

  it("finds a bare name on the caller's path and still passes only the environment given", async () => {
    const hello = await runScript(["hello.sh", "x"], { env: {}, maxOutputBytes: 1000, searchPath: `/nonexistent:${join(dir, "a")}:${join(dir, "b")}` });
    expect(hello).toMatchObject({ exitCode: 0, output: "hello from a: x\n" });
    const env = await runScript(["env"], { env: { REMAPHORE_VERB: "ping" }, maxOutputBytes: 1000, searchPath: `${join(dir, "a")}:/usr/bin:/bin` });
    expect(env).toMatchObject({ exitCode: 0, output: "REMAPHORE_VERB=ping\n" });
  });

  it("answers -1 for a bare name that is not on the path", async () => {
    for (const searchPath of [join(dir, "c"), "", "/nonexistent"]) {
      expect(await runScript(["hello.sh"], { env: {}, maxOutputBytes: 1000, searchPath })).toMatchObject({ exitCode: -1, bytes: Buffer.alloc(0), output: "", truncated: false });
    }
  });

  it("answers -1 with no output and nothing left open for arguments or environment Node cannot pass", async () => {
    const before = openHandles();
    for (const [command, env] of [
      [["/bin/echo", "a\0b"], {}],
      [["/usr/bin/env"], { REMAPHORE_MSG: "a\0b" }],
      [["/bin/ec\0ho"], {}],
    ] as const) {
      expect(await runScript(command, { env, maxOutputBytes: 1000 })).toMatchObject({ exitCode: -1, bytes: Buffer.alloc(0), output: "", truncated: false });
    }
    expect(openHandles()).toEqual(before);
  });

  it("keeps output bytes that are not UTF-8 exactly", async () => {
    const result = await runScript(sh("printf 'a\\377\\376\\000b'"), { env: {}, maxOutputBytes: 1000 });
    expect(result.bytes).toEqual(Buffer.from([0x61, 0xff, 0xfe, 0x00, 0x62]));
    expect(scriptReply(result, 1000)).toEqual(Buffer.from([0x30, 0x2c, 0x61, 0xff, 0xfe, 0x00, 0x62]));
  });

  it("kills the script and its children at the deadline", async () => {
    const result = await runScript(sh("sleep 30 & sleep 30; echo never"), { env: {}, timeoutMs: 200, maxOutputBytes: 1000 });
    expect(result).toEqual({ exitCode: -1, bytes: Buffer.alloc(0), output: "", truncated: false, error: "signal: killed" });
  });

  it("kills the script's whole process group when aborted", async () => {
    const pids = join(dir, "pids");
    const abort = new AbortController();
    // The script starts a child in the background and reports both ids, then waits.
    const running = runScript(sh(`sleep 300 & echo "$$ $!" > ${pids}.tmp && mv ${pids}.tmp ${pids}; wait`), { env: {}, maxOutputBytes: 1000, signal: abort.signal });
    const started = await waitFor(() => (existsSync(pids) ? readFileSync(pids, "utf8").trim().split(" ").map(Number) : undefined), "the script to write its pids");
    expect(started).toHaveLength(2);
    expect(started.some(isGone)).toBe(false);
    abort.abort();
    expect(await running).toMatchObject({ exitCode: -1, error: "signal: killed" });
    await waitFor(() => (started.every(isGone) ? true : undefined), "the script and its children to be gone");
  });

  it("caps the output and says so", async () => {
    const result = await runScript(sh("head -c 5000 /dev/zero | tr '\\0' x"), { env: {}, maxOutputBytes: 100 });
    expect(result.output).toBe("x".repeat(100));
    expect(result.truncated).toBe(true);
    expect(scriptReply(result, 100).toString("latin1")).toBe(`0,${"x".repeat(100)}\n[output truncated at 100 bytes]`);
  });
});

describe("resolveCommand", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "remaphore-resolve-"));
    writeFileSync(join(dir, "tool"), "#!/bin/sh\n");
    chmodSync(join(dir, "tool"), 0o755);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses a name with a slash as it is", async () => {
    expect(await resolveCommand("./tool", "")).toBe("./tool");
    expect(await resolveCommand("/nonexistent/tool", dir)).toBe("/nonexistent/tool");
  });

  it("takes the first executable regular file on the path", async () => {
    expect(await resolveCommand("tool", `/nonexistent::${dir}`)).toBe(join(dir, "tool"));
    expect(await resolveCommand("tool", undefined)).toBeUndefined();
    expect(await resolveCommand("", dir)).toBeUndefined();
  });

  it("refuses a match found through a relative path entry", async () => {
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(await resolveCommand("tool", `.:${dir}`)).toBeUndefined();
      expect(await resolveCommand("tool", `:${dir}`)).toBeUndefined();
    } finally {
      process.chdir(cwd);
    }
  });
});
