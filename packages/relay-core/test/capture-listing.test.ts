import { describe, expect, it } from "vitest";
import { listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = { "x-sentry-auth": `sentry sentry_key=${KEY}` };

describe("capture mode lists what today's clients send", () => {
  const relay = listeningHarness();
  const base = (): string => `http://127.0.0.1:${relay.port}`;

  it("shows OTLP spans and logs, check-ins and NEL reports with a title each", async () => {
    const span = { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", name: "GET /inventory", kind: 2, startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000500000000" };
    const sends = [
      fetch(`${base()}/api/1/integration/otlp/v1/traces`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }) }),
      fetch(`${base()}/api/1/integration/otlp/v1/logs`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: "1700000000000000000", severityNumber: 9, body: { stringValue: "cache warmed" } }] }] }] }),
      }),
      fetch(`${base()}/api/1/cron/billing/${KEY}/?status=in_progress`),
      fetch(`${base()}/api/1/nel/?sentry_key=${KEY}`, {
        method: "POST",
        headers: { "content-type": "application/reports+json" },
        body: JSON.stringify([{ age: 0, type: "network-error", url: "https://example.com/", body: { type: "dns.unreachable", phase: "dns" } }]),
      }),
    ];
    expect((await Promise.all(sends)).map((response) => response.status)).toEqual([202, 202, 202, 200]);
    await relay.harness.drain();
    const listing = (await (await fetch(`${base()}/api/relay/events/`)).json()) as { events: { event_id: string; item_types: string[]; title: string }[] };
    const titles = listing.events.map((event) => `${event.item_types.join(",")} | ${event.title}`).sort();
    expect(titles).toEqual(["check_in | Check-in billing: in_progress", "log | 1 log: cache warmed", "log | NEL dns.unreachable: https://example.com/", "span | 1 span: GET /inventory"]);
    const spanEntry = listing.events.find((event) => event.item_types.includes("span"))!;
    const shown = (await (await fetch(`${base()}/api/relay/events/${spanEntry.event_id}/`)).json()) as { items: { headers: { type: string }; payload: { items: { name: string }[] } }[] };
    expect(shown.items[0]!.payload.items[0]!.name).toBe("GET /inventory");
  });
});
