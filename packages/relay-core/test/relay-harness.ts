import type { AddressInfo } from "node:net";
import { waitUntil } from "@org/testkit";
import { pino } from "pino";
import { afterAll, beforeAll } from "vitest";
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
      await waitUntil(() => spool.stats().depth === 0, "the spool to drain", { everyMs: 10, detail: () => JSON.stringify(spool.stats()) });
    },
    async close() {
      await app.close();
      await pipeline.stop(1000);
      await spool.close();
      store.close();
    },
  };
}

/** A harness listening on 127.0.0.1 for all the tests of a file (started before them, closed after). */
export function listeningHarness(): { readonly harness: Harness; readonly port: number } {
  let harness: Harness | undefined;
  let port = 0;
  beforeAll(async () => {
    harness = startHarness();
    await harness.app.listen({ host: "127.0.0.1", port: 0 });
    port = (harness.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await harness?.close();
  });
  return {
    get harness() {
      if (!harness) throw new Error("the harness starts before the tests");
      return harness;
    },
    get port() {
      return port;
    },
  };
}

/** The event (or transaction) item of a captured envelope, parsed. */
export function capturedEvent(store: CaptureStore, id: string): Record<string, unknown> | undefined {
  const captured = store.get(id);
  if (!captured) return undefined;
  const lines = Buffer.from(captured.envelope).toString("utf8").split("\n");
  const index = lines.findIndex((line) => /"type":"(event|transaction)"/.test(line));
  return index === -1 ? undefined : (JSON.parse(lines[index + 1]!) as Record<string, unknown>);
}
