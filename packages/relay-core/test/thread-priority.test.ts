import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";

/** The nice value of a thread, from `/proc/<task>/stat` (field 19). */
function niceOf(task: string): number {
  const stat = readFileSync(`/proc/${task}/stat`, "utf8");
  // The command name (field 2) may hold spaces; the fields after it do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[16]);
}

describe.runIf(process.platform === "linux")("lowerThreadPriority", () => {
  it("lowers the priority of the calling worker thread by the given steps, and of no other thread", async () => {
    // Worker threads run compiled code: the function is taken from the build.
    const source = `
      const { parentPort } = require("node:worker_threads");
      const { readlinkSync } = require("node:fs");
      import(${JSON.stringify(new URL("../dist/pipeline/thread-priority.js", import.meta.url).href)}).then(({ lowerThreadPriority }) => {
        const lowered = lowerThreadPriority(5);
        parentPort.postMessage({ lowered, task: readlinkSync("/proc/thread-self").replace(/^\\/proc\\//, "") });
      });
      // Alive until terminated, so that its /proc entry is there to read.
      parentPort.on("message", () => {});
    `;
    const before = niceOf("thread-self");
    const worker = new Worker(source, { eval: true });
    try {
      const answer = await new Promise<{ lowered: boolean; task: string }>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      expect(answer.lowered).toBe(true);
      expect(niceOf(answer.task)).toBe(Math.min(19, before + 5));
      expect(niceOf("thread-self")).toBe(before);
      expect(niceOf(`${process.pid}/task/${process.pid}`)).toBe(before);
    } finally {
      await worker.terminate();
    }
  });
});
