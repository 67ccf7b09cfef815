import { describe, expect, it } from "vitest";
import type { FakeUpstream } from "@org/testkit";
import { cleanupAfterEach, eventually, fakeUpstream, startUpstreamHarness, type UpstreamHarness } from "./upstream-harness.js";

const KEY = "a".repeat(32);
const defer = cleanupAfterEach();

async function relay(fake: FakeUpstream, mode: "proxy" | "managed"): Promise<UpstreamHarness> {
  const harness = await startUpstreamHarness(mode, fake.url, { outcomeReports: { mode: mode === "managed" ? "signed" : "client_reports", flushIntervalMs: 50 } });
  defer(() => harness.close());
  return harness;
}

function envelope(items: [Record<string, unknown>, unknown][]): string {
  return [JSON.stringify({}), ...items.flatMap(([headers, payload]) => {
    const text = typeof payload === "string" ? payload : JSON.stringify(payload);
    return [JSON.stringify({ ...headers, length: Buffer.byteLength(text) }), text];
  })].join("\n");
}

function post(harness: UpstreamHarness, body: string, key = KEY): Promise<Response> {
  return fetch(`${harness.url}/api/1/envelope/`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7, sentry_client=sentry.javascript.node/11.12.0` }, body });
}

describe("outcomes reported upstream", () => {
  it("sends the SDK's client reports and the relay's own drops as the relay's client_report items", async () => {
    const fake = await fakeUpstream(defer);
    const harness = await relay(fake, "proxy");
    const sdkReport = { timestamp: Date.now() / 1000, discarded_events: [{ reason: "queue_overflow", category: "error", quantity: 3 }, { reason: "sample_rate", category: "transaction", quantity: 2 }] };
    expect((await post(harness, envelope([[{ type: "event" }, { message: "kept" }], [{ type: "client_report" }, sdkReport]]))).status).toBe(200);
    const tooLarge = envelope([[{ type: "check_in" }, { monitor_slug: "m", status: "ok", pad: "x".repeat(200 * 1024) }]]);
    expect((await post(harness, tooLarge)).status).toBe(413);

    const reports = (): Record<string, unknown>[] =>
      fake.envelopes
        .filter((received) => String(received.headers["x-sentry-auth"]).includes("sentry_client=sentry-relay/"))
        .flatMap((received) => received.items.filter((item) => item.type === "client_report").map((item) => item.payload as Record<string, unknown>));
    const discarded = (): unknown[] => reports().flatMap((report) => (report.discarded_events as unknown[] | undefined) ?? []);
    await eventually(() => discarded().length >= 3, "client reports upstream");
    expect(discarded()).toEqual(
      expect.arrayContaining([
        { reason: "queue_overflow", category: "error", quantity: 3 },
        { reason: "sample_rate", category: "transaction", quantity: 2 },
        { reason: "too_large", category: "monitor", quantity: 1 },
      ]),
    );
    const fromSdk = fake.envelopes.filter((received) => String(received.headers["x-sentry-auth"]).includes("sentry.javascript.node"));
    expect(fromSdk.flatMap((received) => received.items.map((item) => item.type))).toEqual(["event"]);
    const relayReport = fake.envelopes.find((received) => received.items.some((item) => item.type === "client_report"))!;
    expect(relayReport.projectId).toBe("1");
    expect(relayReport.headers["x-sentry-auth"]).toContain(`sentry_key=${KEY}`);
  });

  it("counts rate-limited data and sends it as rate_limited_events", async () => {
    const fake = await fakeUpstream(defer);
    const harness = await relay(fake, "proxy");
    fake.intake({ kind: "status", status: 429, headers: { "retry-after": "60", "x-sentry-rate-limits": "60:error:key" } });
    expect((await post(harness, envelope([[{ type: "event" }, { message: "limited upstream" }]]))).status).toBe(200);
    await eventually(() => harness.service.rateLimits.check("1", KEY, ["error"]) !== undefined, "the upstream's limit known");
    fake.intake({ kind: "accept" });
    expect((await post(harness, envelope([[{ type: "event" }, { message: "limited at the door" }]]))).status).toBe(429);
    const limited = (): { reason: string; category: string; quantity: number }[] =>
      fake.envelopes.flatMap((received) => received.items.filter((item) => item.type === "client_report").flatMap((item) => ((item.payload as { rate_limited_events?: { reason: string; category: string; quantity: number }[] }).rate_limited_events ?? [])));
    // The report sent while the fake still answered 429 is lost (as with Sentry's Relay); the next one carries the refusal at the door.
    await eventually(() => limited().length > 0, "rate-limited outcomes upstream");
    expect(limited().every((entry) => entry.category === "error")).toBe(true);
  });

  it("in managed mode, posts them signed to the relay outcomes endpoint", async () => {
    const fake = await fakeUpstream(defer, { projectConfigs: { [KEY]: { projectId: 1, slug: "p", disabled: false, publicKeys: [{ publicKey: KEY, isEnabled: true, numericId: 7 }], config: { allowedDomains: ["*"], trustedRelays: [] } } } });
    const harness = await relay(fake, "managed");
    await eventually(() => harness.service.registration?.isRegistered() === true, "registration");
    const tooLarge = envelope([[{ type: "client_report" }, { pad: "x".repeat(200 * 1024) }], [{ type: "log", content_type: "application/vnd.sentry.items.log+json", item_count: 1 }, { items: [] }]]);
    expect((await post(harness, tooLarge)).status).toBe(413);
    const posted = (): Record<string, unknown>[] =>
      fake.requests
        .filter((request) => request.url === "/api/0/relays/outcomes/")
        .flatMap((request) => (JSON.parse(request.body.toString("utf8")) as { outcomes: Record<string, unknown>[] }).outcomes);
    await eventually(() => posted().length > 0, "signed outcomes upstream");
    const request = fake.requests.find((seen) => seen.url === "/api/0/relays/outcomes/")!;
    expect(request.headers["x-sentry-relay-id"]).toBe(harness.credentials.relayId);
    expect(request.headers["x-sentry-relay-signature"]).toBeDefined();
    expect(posted()).toEqual([expect.objectContaining({ project_id: 1, outcome: 3, reason: "too_large", category: 23, quantity: 1 })]);
  });
});
