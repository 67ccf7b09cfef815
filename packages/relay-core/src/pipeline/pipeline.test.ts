import { waitUntil } from "@org/testkit";
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
  await waitUntil(check, "the pipeline to get there", { everyMs: 10 });
  expect(check()).toBe(true);
}

/** Starts a pipeline over `spool`: one slot, everything delivered, immediate retries. */
function startPipeline(spool: Spool, options: Pick<PipelineOptions, "process"> & Partial<PipelineOptions>): Pipeline {
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
  return pipeline;
}

/** Runs a pipeline over `spool` until it is empty. */
async function drainWith(spool: Spool, options: Pick<PipelineOptions, "process"> & Partial<PipelineOptions>): Promise<void> {
  const pipeline = startPipeline(spool, options);
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

  it("frees a slot once its envelope is delivered, before the spool has removed it, and waits for the removal when it stops", async () => {
    const { spool, ready } = spoolWith(["first", "second"]);
    await ready;
    // Removals wait until the test lets them through.
    const waiting: (() => void)[] = [];
    const slow: Spool = {
      ...spool,
      ack: (handles) => new Promise<void>((resolve) => waiting.push(() => void spool.ack(handles).then(resolve))),
    };
    const delivered: string[] = [];
    const pipeline = startPipeline(slow, {
      process: deliverable,
      delivery: { deliver: (envelope) => (delivered.push(envelope.source.id), Promise.resolve({ status: "delivered" })) },
    });
    // One slot: the second envelope is delivered while the first one's removal still waits.
    await until(() => delivered.length === 2);
    expect(waiting).toHaveLength(2);
    let stopped = false;
    const stopping = pipeline.stop(60_000).then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    for (const release of waiting) release();
    await stopping;
    expect(spool.stats().depth).toBe(0);
    await spool.close();
  });

  it("logs a removal that fails instead of delivering the envelope again", async () => {
    const lines: { level: number; msg: string; envelopeId?: string }[] = [];
    const recording = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const { spool, ready } = spoolWith(["once"]);
    await ready;
    let deliveries = 0;
    const failing: Spool = { ...spool, ack: () => Promise.reject(new Error("disk gone")) };
    const pipeline = startPipeline(failing, {
      process: deliverable,
      delivery: { deliver: () => (deliveries++, Promise.resolve({ status: "delivered" })) },
      logger: recording,
    });
    await until(() => lines.some((line) => line.msg.startsWith("could not remove a delivered envelope")));
    await pipeline.stop(60_000);
    expect(deliveries).toBe(1);
    expect(lines.find((line) => line.msg.startsWith("could not remove"))).toMatchObject({ level: 50, envelopeId: "once" });
    await spool.close();
  });

  it("claims in batches of a quarter of its slots, not one envelope per finished delivery", async () => {
    const ids = Array.from({ length: 60 }, (_, index) => `e${index}`);
    const { spool, ready } = spoolWith(ids);
    await ready;
    const sizes: number[] = [];
    const counting: Spool = {
      ...spool,
      claim: async (max) => {
        const claimed = await spool.claim(max);
        if (claimed.length > 0) sizes.push(claimed.length);
        return claimed;
      },
    };
    const delivered: string[] = [];
    // Deliveries finish one by one, each a little after the previous.
    let chain = Promise.resolve();
    const delivery: Delivery = {
      deliver: (envelope) => {
        chain = chain.then(() => new Promise((resolve) => setTimeout(resolve, 1)));
        return chain.then(() => {
          delivered.push(envelope.source.id);
          return { status: "delivered" };
        });
      },
    };
    await drainWith(counting, { process: deliverable, delivery, concurrency: 8 });
    expect(delivered.sort()).toEqual([...ids].sort());
    // The first claim fills every slot; after that, claims wait for two free slots.
    expect(sizes[0]).toBe(8);
    expect(sizes.slice(0, -1).every((size) => size >= 2)).toBe(true);
    expect(sizes.length).toBeLessThanOrEqual(30);
    await spool.close();
  });
});
