import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { OutcomeCounter } from "../outcomes.js";
import { openSqliteSpool } from "../spool/sqlite-spool.js";
import type { ClaimedEnvelope } from "../spool/spool.js";
import type { Spool } from "../spool/spool.js";
import { Pipeline, type Delivery, type DeliveryResult, type PipelineOptions, type Processed } from "./pipeline.js";

const logger = pino({ level: "silent" });

function spoolWith(ids: readonly string[]) {
  const spool = openSqliteSpool({ path: ":memory:", maxBytes: 1_000_000, maxAgeMs: 3_600_000 });
  return {
    spool,
    ready: Promise.all(ids.map((id) => spool.enqueue({ id, projectId: "1", receivedAt: Date.now(), context: { publicKey: "a".repeat(32) }, payload: new Uint8Array([1]) }))),
  };
}

const deliverable = (envelope: ClaimedEnvelope): Promise<Processed> =>
  Promise.resolve({ kind: "deliver", dropped: [], envelope: { source: envelope, payload: envelope.payload, itemTypes: ["event"], title: "t", outcomes: [] } });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

/** Runs a pipeline over `spool` until it is empty, with immediate retries. */
async function drainWith(spool: Spool, options: Pick<PipelineOptions, "process"> & Partial<PipelineOptions>): Promise<void> {
  const pipeline = new Pipeline({
    spool,
    delivery: { deliver: () => Promise.resolve({ status: "delivered" }) },
    outcomes: new OutcomeCounter(),
    logger,
    concurrency: 1,
    idleMs: 5,
    retryDelay: () => 0,
    ...options,
  });
  pipeline.start();
  await until(() => spool.stats().depth === 0);
  await pipeline.stop(1_000);
}

describe("Pipeline", () => {
  it("drops an envelope whose processing keeps throwing, after five tries, and counts it", async () => {
    const { spool, ready } = spoolWith(["broken"]);
    await ready;
    let tries = 0;
    const outcomes = new OutcomeCounter();
    await drainWith(spool, {
      process: () => {
        tries++;
        return Promise.reject(new Error("a bug"));
      },
      outcomes,
    });
    expect(tries).toBe(5);
    expect(outcomes.get("invalid:default:internal")).toBe(1);
    await spool.close();
  });

  it("does not count delivery retries (an outage) against processing failures", async () => {
    const { spool, ready } = spoolWith(["patient"]);
    await ready;
    let deliveries = 0;
    let failOnce = true;
    const delivery: Delivery = {
      deliver: (): Promise<DeliveryResult> => {
        deliveries++;
        return Promise.resolve(deliveries <= 8 ? { status: "retry", delayMs: 0, reason: "upstream down" } : { status: "delivered" });
      },
    };
    await drainWith(spool, {
      process: (envelope) => {
        // After eight failed deliveries, one processing failure must not be the last straw.
        if (deliveries === 8 && failOnce) {
          failOnce = false;
          return Promise.reject(new Error("transient"));
        }
        return deliverable(envelope);
      },
      delivery,
    });
    expect(failOnce).toBe(false);
    expect(deliveries).toBe(9);
    await spool.close();
  });

  it("reports a spool that cannot be read once, and when it works again", async () => {
    const lines: { level: number; msg: string }[] = [];
    const recording = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const { spool, ready } = spoolWith(["late"]);
    await ready;
    let reads = 0;
    const flaky = {
      ...spool,
      claim: (max: number) => (++reads <= 10 ? Promise.reject(new Error("servers down")) : spool.claim(max)),
      ack: (handles: readonly number[]) => spool.ack(handles),
      retry: (handles: readonly number[], delayMs: number) => spool.retry(handles, delayMs),
      stats: () => spool.stats(),
    };
    await drainWith(flaky, { process: deliverable, logger: recording });
    expect(reads).toBeGreaterThan(10);
    expect(lines.filter((line) => line.msg.startsWith("could not read from the spool"))).toHaveLength(1);
    expect(lines.some((line) => line.msg === "reading from the spool works again")).toBe(true);
    await spool.close();
  });
});
