import { describe, expect, it } from "vitest";
import { runScript } from "./run-script.js";

const sh = (body: string): string[] => ["/bin/sh", "-c", body];

describe("runScript", () => {
  it("keeps stdout and stderr in the order written, with the exit code", async () => {
    expect(await runScript(sh('printf "a\\n"; printf "b\\n" >&2; printf "c"; exit 7'), { env: {}, maxOutputBytes: 1000 })).toEqual({
      exitCode: 7,
      output: "a\nb\nc",
      truncated: false,
    });
  });

  it("passes exactly the environment given", async () => {
    const result = await runScript(["/usr/bin/env"], { env: { REMAPHORE_VERB: "ping" }, maxOutputBytes: 1000 });
    expect(result.output).toBe("REMAPHORE_VERB=ping\n");
  });

  it("answers -1 for a command that cannot start", async () => {
    expect((await runScript(["/nonexistent/script"], { env: {}, maxOutputBytes: 1000 })).exitCode).toBe(-1);
  });

  it("kills the script and its children at the deadline", async () => {
    const result = await runScript(sh("sleep 30 & sleep 30; echo never"), { env: {}, timeoutMs: 200, maxOutputBytes: 1000 });
    expect(result).toEqual({ exitCode: -1, output: "", truncated: false });
  });

  it("caps the output and says so", async () => {
    const result = await runScript(sh("head -c 5000 /dev/zero | tr '\\0' x"), { env: {}, maxOutputBytes: 100 });
    expect(result.output).toBe("x".repeat(100));
    expect(result.truncated).toBe(true);
  });
});
