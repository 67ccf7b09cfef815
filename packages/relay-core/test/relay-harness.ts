import { pino } from "pino";
import { buildRelay } from "../src/build-relay.js";
import { captureDelivery } from "../src/capture/capture-delivery.js";
import { openCaptureStore, type CaptureStore } from "../src/capture/capture-store.js";
import { OutcomeCounter } from "../src/outcomes.js";
import { createEnvelopeProcessor } from "../src/pipeline/process-envelope.js";
import { Pipeline } from "../src/pipeline/pipeline.js";
import { permissiveProjectStates, type ProjectStates } from "../src/projects/project-state.js";
import { DEFAULT_LIMITS, type RelayOptions } from "../src/relay-options.js";
import { openSqliteSpool } from "../src/spool/sqlite-spool.js";
import type { Spool } from "../src/spool/spool.js";

/** A relay app with an in-memory spool, a capture store and a running pipeline. */
export interface Harness {
  readonly app: ReturnType<typeof buildRelay>;
  readonly spool: Spool;
  readonly store: CaptureStore;
  readonly outcomes: OutcomeCounter;
  /** Waits until the spool is empty (everything processed and delivered). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function startHarness(overrides: Partial<RelayOptions> & { projects?: ProjectStates; spoolMaxBytes?: number } = {}): Harness {
  const logger = pino({ level: "silent" });
  const spool = openSqliteSpool({ path: ":memory:", maxBytes: overrides.spoolMaxBytes ?? 100 * 1024 * 1024, maxAgeMs: 3_600_000, synchronous: "normal" });
  const store = openCaptureStore(":memory:", 1000);
  const outcomes = new OutcomeCounter();
  const projects = overrides.projects ?? permissiveProjectStates();
  const options: RelayOptions = { mode: "capture", limits: DEFAULT_LIMITS, ...overrides };
  const pipeline = new Pipeline({
    spool,
    process: createEnvelopeProcessor({ projects, globalScrubbing: { scrubData: true, scrubDefaults: true }, outcomes }),
    delivery: captureDelivery(store),
    outcomes,
    logger,
    concurrency: 4,
    idleMs: 20,
  });
  const app = buildRelay({ options, projects, spool, logger, outcomes, captureStore: store, onAccepted: () => { pipeline.wake(); } });
  pipeline.start();
  return {
    app,
    spool,
    store,
    outcomes,
    async drain() {
      for (let i = 0; i < 500 && spool.stats().depth > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      if (spool.stats().depth > 0) throw new Error(`the spool did not drain: ${JSON.stringify(spool.stats())}`);
    },
    async close() {
      await app.close();
      await pipeline.stop(1000);
      await spool.close();
      store.close();
    },
  };
}
