import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SentryClient } from "@org/sdk";
import { DEADLINE_MS, waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRelayProcess, type RelayProcess } from "./relay-process.js";

// This test lives with the relay because the relay depends on @org/sdk: the SDK cannot depend back.

interface Listing {
  events: { event_id: string; item_types: string[]; title: string }[];
}

interface Detail {
  items: { headers: { type: string }; payload: { timestamp: number; discarded_events: { reason: string; category: string; quantity: number }[] } }[];
}

/** Polls the capture listing until `done` says so, under the one generous deadline. */
async function waitForListing(url: string, done: (listing: Listing) => boolean): Promise<Listing> {
  let listing: Listing = { events: [] };
  await waitUntil(
    async () => done((listing = (await (await fetch(`${url}/api/relay/events/`)).json()) as Listing)),
    "the relay to capture the events and the client report",
    { detail: () => JSON.stringify(listing) },
  );
  return listing;
}

describe("@org/sdk client reports, received by the relay in capture mode", () => {
  let dir: string;
  let relay: RelayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-sdk-reports-"));
    relay = await startRelayProcess(dir);
  });

  afterAll(async () => {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts what the SDK dropped, by reason, in the client report close() sends", async () => {
    const before = Date.now() / 1000;
    let draw = 0;
    const sdk = new SentryClient(relay.dsn, {
      log: { info: () => undefined, error: () => undefined },
      captureUncaught: false,
      defaultIntegrations: false,
      queueSize: 2,
      // Every third capture is sampled out.
      sampleRate: 0.5,
      random: () => (draw++ % 3 === 2 ? 0.9 : 0.1),
      processors: [(event) => (event.message === "processor drops" ? null : event)],
      beforeSend: (event) => {
        if (event.message === "beforeSend throws") throw new Error("bug in beforeSend");
        return event.message === "beforeSend drops" ? null : event;
      },
    });
    const messages = ["kept 1", "kept 2", "sampled out", "processor drops", "beforeSend drops", "sampled out", "beforeSend throws", "overflow 1", "sampled out", "overflow 2"];
    for (const message of messages) sdk.captureMessage(message);
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(await sdk.close(DEADLINE_MS)).toBe(true);
    expect(sdk.stats).toMatchObject({ sent: 3, droppedQueueFull: 2 });

    const listing = await waitForListing(relay.url, (l) => l.events.some((e) => e.item_types.includes("client_report")) && l.events.filter((e) => e.item_types.includes("event")).length >= 2);
    expect(listing.events.filter((e) => e.item_types.includes("event")).map((e) => e.title).sort()).toEqual(["kept 1", "kept 2"]);
    const entry = listing.events.find((e) => e.item_types.includes("client_report"))!;
    const detail = (await (await fetch(`${relay.url}/api/relay/events/${entry.event_id}/`)).json()) as Detail;
    const report = detail.items.find((item) => item.headers.type === "client_report")!.payload;
    // In seconds, taken while the test ran.
    expect(report.timestamp).toBeGreaterThanOrEqual(before);
    expect(report.timestamp).toBeLessThanOrEqual(Date.now() / 1000);
    const totals = Object.fromEntries(report.discarded_events.map((line) => [`${line.reason}/${line.category}`, line.quantity]));
    expect(totals).toEqual({ "sample_rate/error": 3, "event_processor/error": 1, "before_send/error": 2, "queue_overflow/error": 2 });
  });
});
