import { loadSdkCaptures } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./relay-harness.js";

const captures = loadSdkCaptures();
// The tunnel recordings posted to the SDK's tunnel path; the relay serves one at /my/tunnel here.
const TUNNEL = "/my/tunnel";

describe("recorded SDK requests replayed byte for byte into a capture relay", () => {
  let relay: Harness;
  beforeAll(() => {
    relay = startHarness({ tunnelPath: TUNNEL });
  });
  afterAll(async () => {
    await relay.close();
  });

  it.each(captures.map((c) => [c.file, c] as const))("%s is accepted with 200 and its event captured", async (_file, capture) => {
    const headers = Object.fromEntries(
      capture.headers.filter(([name]) => !["host", "content-length", "transfer-encoding", "connection"].includes(name.toLowerCase())),
    );
    const response = await relay.app.inject({ method: "POST", url: capture.path, headers, payload: capture.body });
    expect(response.statusCode, response.body).toBe(200);
    const id = (response.json<{ id: string | null }>()).id;
    await relay.drain();
    if (id === null) return;
    const detail = await relay.app.inject({ method: "GET", url: `/api/relay/events/${id}/` });
    expect(detail.statusCode, detail.body).toBe(200);
    const captured = detail.json<{ event?: Record<string, unknown>; items: unknown[] }>();
    expect(captured.items.length).toBeGreaterThan(0);
    if (capture.decodedText !== undefined) {
      const sent = JSON.parse(capture.decodedText) as Record<string, unknown>;
      const message = (sent.message as string | undefined) ?? "";
      expect(JSON.stringify(captured.event)).toContain(message.slice(0, 20));
    }
  });

  it("lists what it captured, newest first", async () => {
    const list = await relay.app.inject({ method: "GET", url: "/api/relay/events/" });
    const body = list.json<{ total: number; events: { event_id: string; received: string }[] }>();
    expect(body.total).toBeGreaterThan(20);
    const times = body.events.map((e) => Date.parse(e.received));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
