import { describe, expect, it } from "vitest";
import { capturedItems } from "./captured-items.js";
import { listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7`, "content-type": "application/x-sentry-envelope" };

function envelope(items: [Record<string, unknown>, string][]): string {
  return [JSON.stringify({}), ...items.flatMap(([headers, payload]) => [JSON.stringify({ ...headers, length: Buffer.byteLength(payload) }), payload])].join("\n");
}

describe("per-type item limits, with Sentry Relay's names and defaults", () => {
  const relay = listeningHarness();
  const post = (body: string): Promise<Response> => fetch(`http://127.0.0.1:${relay.port}/api/1/envelope/`, { method: "POST", headers: AUTH, body });

  async function refusal(body: string): Promise<string> {
    const response = await post(body);
    expect(response.status).toBe(413);
    const answer = (await response.json()) as { detail: string };
    return answer.detail;
  }

  it("refuses items over their type's limit, naming it", async () => {
    expect(await refusal(envelope([[{ type: "check_in" }, JSON.stringify({ monitor_slug: "m", status: "ok", pad: "x".repeat(100 * 1024) })]]))).toMatch(/max_check_in_size/);
    expect(await refusal(envelope([[{ type: "client_report" }, JSON.stringify({ pad: "x".repeat(100 * 1024) })]]))).toMatch(/max_client_reports_size/);
    expect(await refusal(envelope([[{ type: "statsd" }, "x".repeat(1024 * 1024 + 1)]]))).toMatch(/max_statsd_size/);
    expect(await refusal(envelope([[{ type: "feedback" }, JSON.stringify({ pad: "x".repeat(1024 * 1024) })]]))).toMatch(/max_event_size/);
  });

  it("holds each record of a container to its own limit and the container to max_container_size", async () => {
    const bigLog = { timestamp: 1, level: "info", body: "x".repeat(2 * 1024 * 1024), trace_id: "a".repeat(32) };
    const container = JSON.stringify({ items: [bigLog] });
    expect(await refusal(envelope([[{ type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" }, container]]))).toMatch(/max_log_size/);
    const many = JSON.stringify({ items: Array.from({ length: 7 }, () => ({ ...bigLog, body: "y".repeat(1900 * 1024) })) });
    expect(await refusal(envelope([[{ type: "log", item_count: 7, content_type: "application/vnd.sentry.items.log+json" }, many]]))).toMatch(/max_container_size/);
    const fine = JSON.stringify({ items: [{ ...bigLog, body: "fits" }] });
    expect((await post(envelope([[{ type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" }, fine]]))).status).toBe(200);
  });

  it("forwards item types it does not know untouched, whatever their size", async () => {
    const payload = `opaque ${"z".repeat(2 * 1024 * 1024)}`;
    const response = await post(envelope([[{ type: "future_item", content_type: "application/octet-stream" }, payload]]));
    expect(response.status).toBe(200);
    await relay.harness.drain();
    const kept = capturedItems(relay.harness.store).find((item) => item.type === "future_item");
    expect(kept?.payload).toBe(payload);
    expect(kept?.headers).toMatchObject({ type: "future_item", content_type: "application/octet-stream", length: Buffer.byteLength(payload) });
  });
});
