import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { RelayMetrics } from "../metrics.js";
import type { ClaimedEnvelope } from "../spool/spool.js";
import type { Processed } from "./pipeline.js";
import { processEnvelope, processingInput, toProcessed, type ProcessedData, type ProcessingInput, type ProcessorOptions } from "./process-envelope.js";

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
  /** Envelopes processed so far on the event loop (it was not busy) and in the threads. */
  stats(): { readonly onLoop: number; readonly inThreads: number };
  close(): Promise<void>;
}

/** Options of {@link createWorkerProcessor}. */
export interface WorkerProcessorOptions extends ProcessorOptions {
  /** Processing threads (1 by default). */
  readonly threads?: number | undefined;
  /**
   * Whether the event loop is too busy to process an envelope itself: by default, whether it was
   * busy at least 80 % of the time in the last 50 ms or more (its event-loop utilization).
   */
  readonly busy?: (() => boolean) | undefined;
  /** Counts `processing.envelopes` by where they were processed (tag `on`: `event_loop` or `thread`). */
  readonly metrics?: RelayMetrics | undefined;
}

/**
 * Envelopes are processed on the event loop while it is not busy, up to this many bytes in one
 * turn of it. Handing one to a thread and back costs two cross-thread wake-ups, which on a lightly
 * loaded machine cost more CPU than processing a small event does; a large one, or many claimed
 * at once, would hold up answers to clients.
 */
const ON_LOOP_TURN_BYTES = 64 * 1024;

/** Event-loop utilization of at least this much, over the last window, counts as busy. */
const BUSY_UTILIZATION = 0.8;
const BUSY_WINDOW_MS = 50;
const ON_LOOP = { on: "event_loop" } as const;
const IN_THREAD = { on: "thread" } as const;

/** Time the event loop spent waiting and working since it started, in milliseconds. */
export interface LoopTimes {
  readonly idle: number;
  readonly active: number;
}

/**
 * Whether the event loop was busy over the last window of at least {@link BUSY_WINDOW_MS}, measured
 * when asked; `measure` reads the loop's times (`performance.eventLoopUtilization()` by default).
 */
export function eventLoopBusy(measure: () => LoopTimes = () => performance.eventLoopUtilization()): () => boolean {
  let mark = measure();
  let busy = false;
  return () => {
    const current = measure();
    const idle = current.idle - mark.idle;
    const active = current.active - mark.active;
    if (idle + active >= BUSY_WINDOW_MS) {
      busy = active / (idle + active) >= BUSY_UTILIZATION;
      mark = current;
    }
    return busy;
  };
}

/**
 * Processing (parsing, normalization, scrubbing, filters, serialization) in `threads` worker
 * threads, so that the event loop answering clients is not held up by it while it is busy; while
 * it is not, small envelopes are processed on it, which costs less. Project lookups and rate
 * limits stay on the calling thread; the workers get plain data. A worker that dies is replaced,
 * and the envelopes it held fail (the pipeline retries them).
 */
export function createWorkerProcessor(options: WorkerProcessorOptions): WorkerProcessor {
  const threads = Math.max(1, options.threads ?? 1);
  const busy = options.busy ?? eventLoopBusy();
  let onLoop = 0;
  let inThreads = 0;
  // Bytes processed on the event loop in this turn of it.
  let turnBytes = 0;
  const endTurn = (): void => {
    turnBytes = 0;
  };
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
      const size = claimed.payload.byteLength;
      if (turnBytes + size <= ON_LOOP_TURN_BYTES && !busy()) {
        if (turnBytes === 0) setImmediate(endTurn);
        turnBytes += size;
        onLoop += 1;
        options.metrics?.increment("processing.envelopes", 1, ON_LOOP);
        return toProcessed(claimed, processEnvelope(claimed, input));
      }
      inThreads += 1;
      options.metrics?.increment("processing.envelopes", 1, IN_THREAD);
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
    stats: () => ({ onLoop, inThreads }),
    async close() {
      closed = true;
      const all = workers.splice(0);
      await Promise.all(all.map((worker) => worker.terminate()));
    },
  };
}
