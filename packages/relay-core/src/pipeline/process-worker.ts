import { parentPort } from "node:worker_threads";
import { processEnvelope, type ProcessedData } from "./process-envelope.js";
import type { ProcessJob } from "./worker-processor.js";
import { lowerThreadPriority } from "./thread-priority.js";

/** The worker side of {@link createWorkerProcessor}: runs the pure processing step on each job. */
const port = parentPort;
// Processing is background work: when CPU is short, answering clients (and spooling what they
// send) goes first, and the spool holds what waits.
lowerThreadPriority(10);
port?.on("message", (job: ProcessJob) => {
  let answer: { id: number; data?: ProcessedData; error?: string };
  try {
    answer = { id: job.id, data: processEnvelope(job.envelope, job.input) };
  } catch (error) {
    answer = { id: job.id, error: (error as Error).stack ?? String(error) };
  }
  port.postMessage(answer);
});
