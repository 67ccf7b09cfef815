import { Worker } from "node:worker_threads";
import type { ClaimedEnvelope } from "../spool/spool.js";
import type { Processed } from "./pipeline.js";
import { processingInput, toProcessed, type ProcessedData, type ProcessingInput, type ProcessorOptions } from "./process-envelope.js";

/** One envelope sent to a processing worker. */
export interface ProcessJob {
  readonly id: number;
  readonly envelope: Pick<ClaimedEnvelope, "id" | "projectId" | "receivedAt" | "context" | "payload">;
  readonly input: ProcessingInput;
}

/** The answer to one {@link ProcessJob}. */
export interface ProcessAnswer {
  readonly id: number;
  readonly data?: ProcessedData;
  readonly error?: string;
}

/** A processor whose heavy part runs in worker threads. */
export interface WorkerProcessor {
  readonly process: (envelope: ClaimedEnvelope) => Promise<Processed>;
  close(): Promise<void>;
}

/**
 * Processing (parsing, normalization, scrubbing, filters, serialization) in `threads` worker
 * threads, so that the event loop answering clients is not held up by it. Project lookups and
 * rate limits stay on the calling thread; the workers get plain data. A worker that dies is
 * replaced, and the envelopes it held fail (the pipeline retries them).
 */
export function createWorkerProcessor(options: ProcessorOptions & { readonly threads?: number }): WorkerProcessor {
  const threads = Math.max(1, options.threads ?? 1);
  const calls = new Map<number, { resolve: (data: ProcessedData) => void; reject: (error: Error) => void; worker: Worker }>();
  let nextId = 1;
  let closed = false;
  const workers: Worker[] = [];
  // The jobs of one turn of the event loop cross to each worker as one message (and come back as
  // one): the fixed cost of a message is paid per batch, and a project's state that several jobs
  // share is copied once (structured cloning keeps shared references within a message).
  const batches = new Map<Worker, ProcessJob[]>();
  const sendBatches = (): void => {
    for (const [worker, jobs] of batches) worker.postMessage(jobs);
    batches.clear();
  };

  function spawnWorker(slot: number): void {
    const worker = new Worker(new URL("./process-worker.js", import.meta.url));
    worker.unref();
    worker.on("message", (answers: readonly ProcessAnswer[]) => {
      for (const answer of answers) {
        const call = calls.get(answer.id);
        calls.delete(answer.id);
        if (!call) continue;
        if (answer.data) call.resolve(answer.data);
        else call.reject(new Error(answer.error ?? "processing failed"));
      }
    });
    const fail = (error: Error): void => {
      for (const [id, call] of calls) {
        if (call.worker !== worker) continue;
        calls.delete(id);
        call.reject(error);
      }
      if (!closed) spawnWorker(slot);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (workers[slot] === worker) fail(new Error(`a processing worker exited (${code})`));
    });
    workers[slot] = worker;
  }
  for (let slot = 0; slot < threads; slot++) spawnWorker(slot);

  return {
    async process(claimed) {
      const input = await processingInput(options, claimed);
      if ("defer" in input) return { kind: "defer", reason: input.defer };
      if (closed) throw new Error("the processor is closed");
      const id = nextId++;
      const worker = workers[id % threads]!;
      const data = await new Promise<ProcessedData>((resolve, reject) => {
        calls.set(id, { resolve, reject, worker });
        const { id: envelopeId, projectId, receivedAt, context, payload } = claimed;
        if (batches.size === 0) setImmediate(sendBatches);
        let batch = batches.get(worker);
        if (!batch) batches.set(worker, (batch = []));
        batch.push({ id, envelope: { id: envelopeId, projectId, receivedAt, context, payload }, input });
      });
      return toProcessed(claimed, data);
    },
    async close() {
      closed = true;
      const all = workers.splice(0);
      await Promise.all(all.map((worker) => worker.terminate()));
    },
  };
}
