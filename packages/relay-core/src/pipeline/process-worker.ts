import { parentPort } from "node:worker_threads";
import { processEnvelope } from "./process-envelope.js";
import type { ProcessAnswer, ProcessJob } from "./worker-processor.js";
import { lowerThreadPriority } from "./thread-priority.js";

/** The worker side of {@link createWorkerProcessor}: runs the pure processing step on each job of a batch. */
const port = parentPort;
// Processing is background work: when CPU is short, answering clients (and spooling what they
// send) goes first, and the spool holds what waits.
lowerThreadPriority(10);
port?.on("message", (jobs: readonly ProcessJob[]) => {
  // A batch in, its answers out in one message; a job that fails fails alone.
  const answers = jobs.map((job): ProcessAnswer => {
    try {
      return { id: job.id, data: processEnvelope(job.envelope, job.input) };
    } catch (error) {
      return { id: job.id, error: (error as Error).stack ?? String(error) };
    }
  });
  port.postMessage(answers);
});
