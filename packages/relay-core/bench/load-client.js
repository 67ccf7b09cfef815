// Runs autocannon in its own process, so that the load generator does not share the event loop
// (or the thread) of the server it measures. Used by the benchmarks through `runLoad`.
import { execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

/**
 * Runs autocannon in a child process. `options.body` may be a string or a Buffer. Resolves with
 * `{ rps, p50, p99, non2xx, errors, ok }` (`ok`: count of 2xx answers).
 */
export function runLoad(options) {
  const child = fork(new URL(import.meta.url), ["--child"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const { body, ...rest } = options;
  const message = { ...rest, bodyBase64: body === undefined ? undefined : Buffer.from(body).toString("base64") };
  return new Promise((resolve, reject) => {
    child.once("message", (result) => {
      child.disconnect();
      resolve(result);
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the load client exited with ${code}`));
    });
    child.send(message);
  });
}

if (process.argv.includes("--child")) {
  process.once("message", async ({ bodyBase64, ...options }) => {
    const result = await autocannon({ ...options, body: bodyBase64 === undefined ? undefined : Buffer.from(bodyBase64, "base64") });
    process.send({
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      ok: result["2xx"],
    });
  });
}

const TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/**
 * CPU time of a process so far (user + system, every thread, ended ones included) or of one of
 * its threads, in microseconds, from /proc: what the benchmarks count per event.
 */
export function processCpuMicros(pid, tid) {
  const fields = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/** Peak resident memory of a process so far, in MB. */
export function peakRssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((entry) => entry.startsWith("VmHWM:"));
  return Math.round(Number(/\d+/.exec(line ?? "")?.[0] ?? 0) / 1024);
}
