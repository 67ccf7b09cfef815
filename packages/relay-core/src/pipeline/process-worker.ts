import { parentPort } from "node:worker_threads";
import { processEnvelope, type ProcessedData } from "./process-envelope.js";
import type { ProcessJob } from "./worker-processor.js";

/** The worker side of {@link createWorkerProcessor}: runs the pure processing step on each job. */
const port = parentPort;
port?.on("message", (job: ProcessJob) => {
  let answer: { id: number; data?: ProcessedData; error?: string };
  try {
    answer = { id: job.id, data: processEnvelope(job.envelope, job.input) };
  } catch (error) {
    answer = { id: job.id, error: (error as Error).stack ?? String(error) };
  }
  port.postMessage(answer);
});
