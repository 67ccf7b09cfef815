import { waitUntil } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { capturedItems, runSentryNode } from "./captured-items.js";
import { listeningHarness } from "./relay-harness.js";
import { cleanupAfterEach, fakeUpstream, startUpstreamHarness } from "./upstream-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const CHECK_IN_ID = "d0c3d1c8a5b54b2c9e2f7c4a9b8e6f11";

const defer = cleanupAfterEach();

describe("cron check-ins over HTTP", () => {
  const relay = listeningHarness();
  const base = (): string => `http://127.0.0.1:${relay.port}`;

  async function checkIns(): Promise<Record<string, unknown>[]> {
    await relay.harness.drain();
    return capturedItems(relay.harness.store).filter((item) => item.type === "check_in").map((item) => item.payload as Record<string, unknown>);
  }

  it("takes curl's GET with the key in the path and answers 202", async () => {
    const response = await fetch(`${base()}/api/1/cron/nightly-backup/${KEY}/?status=in_progress&check_in_id=${CHECK_IN_ID}&environment=prod`);
    expect(response.status).toBe(202);
    const done = await fetch(`${base()}/api/1/cron/nightly-backup/${KEY}?status=ok&check_in_id=${CHECK_IN_ID}&duration=12.5`, { method: "POST" });
    expect(done.status).toBe(202);
    const sent = (await checkIns()).filter((checkIn) => checkIn.monitor_slug === "nightly-backup");
    expect(sent).toEqual([
      { check_in_id: CHECK_IN_ID, monitor_slug: "nightly-backup", status: "in_progress", environment: "prod" },
      { check_in_id: CHECK_IN_ID, monitor_slug: "nightly-backup", status: "ok", duration: 12.5 },
    ]);
  });

  it("takes a JSON body with monitor_config (upsert), the key from the auth header", async () => {
    const monitorConfig = { schedule: { type: "crontab", value: "0 * * * *" }, checkin_margin: 5, max_runtime: 30, timezone: "UTC" };
    const response = await fetch(`${base()}/api/1/cron/hourly-report/`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` },
      body: JSON.stringify({ status: "error", monitor_slug: "ignored", monitor_config: monitorConfig }),
    });
    expect(response.status).toBe(202);
    const sent = (await checkIns()).find((checkIn) => checkIn.monitor_slug === "hourly-report");
    expect(sent).toEqual({ check_in_id: "0".repeat(32), monitor_slug: "hourly-report", status: "error", monitor_config: monitorConfig });
  });

  it("takes the key from the query without a key in the path", async () => {
    const response = await fetch(`${base()}/api/1/cron/query-key/?sentry_key=${KEY}&status=ok`);
    expect(response.status).toBe(202);
    expect((await checkIns()).some((checkIn) => checkIn.monitor_slug === "query-key")).toBe(true);
  });

  it("refuses what it cannot use with a 4xx that says why", async () => {
    const cases: [string, RequestInit, number, RegExp][] = [
      [`/api/1/cron/slug/${KEY}/`, {}, 400, /status/],
      [`/api/1/cron/slug/${KEY}/?status=finished`, {}, 400, /status "finished"/],
      [`/api/1/cron/slug/${KEY}/?status=ok&check_in_id=nope`, {}, 400, /check_in_id/],
      [`/api/1/cron/slug/${KEY}/?status=ok&duration=soon`, {}, 400, /duration/],
      [`/api/1/cron/slug/?status=ok`, {}, 401, /missing authorization/],
      [`/api/x/cron/slug/${KEY}/?status=ok`, {}, 400, /project id/],
      [`/api/1/cron/slug/${KEY}/`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }, 400, /JSON/],
      [`/api/1/cron/slug/${KEY}/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "ok", pad: "x".repeat(200_000) }) }, 413, /check-in/],
    ];
    for (const [path, init, status, reason] of cases) {
      const response = await fetch(`${base()}${path}`, init);
      const body = (await response.json()) as { detail: string; causes: string[] };
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(`${body.detail} ${body.causes.join(" ")}`).toMatch(reason);
    }
  });

  it("keeps check-ins from @sentry/node 11: captureCheckIn and withMonitor", async () => {
    await runSentryNode(
      `http://${KEY}@127.0.0.1:${relay.port}/1`,
      `
      const id = Sentry.captureCheckIn({ monitorSlug: "sdk-job", status: "in_progress" });
      Sentry.captureCheckIn({ checkInId: id, monitorSlug: "sdk-job", status: "ok" });
      await Sentry.withMonitor("sdk-monitored", async () => { await new Promise((resolve) => setImmediate(resolve)); }, {
        schedule: { type: "crontab", value: "*/5 * * * *" }, checkinMargin: 1, maxRuntime: 5, timezone: "Europe/Vienna",
      });
      `,
    );
    const sent = await checkIns();
    const job = sent.filter((checkIn) => checkIn.monitor_slug === "sdk-job");
    expect(job.map((checkIn) => checkIn.status)).toEqual(["in_progress", "ok"]);
    expect(job[0]!.check_in_id).toBe(job[1]!.check_in_id);
    const monitored = sent.filter((checkIn) => checkIn.monitor_slug === "sdk-monitored");
    expect(monitored.map((checkIn) => checkIn.status)).toEqual(["in_progress", "ok"]);
    expect(monitored[0]!.monitor_config).toMatchObject({ schedule: { type: "crontab", value: "*/5 * * * *" }, timezone: "Europe/Vienna" });
  });
});

describe("cron check-ins under rate limits", () => {
  it("answers 202, never 429, when the upstream limits monitors", async () => {
    const fake = await fakeUpstream(defer);
    const harness = await startUpstreamHarness("proxy", fake.url);
    defer(() => harness.close());
    fake.intake({ kind: "status", status: 429, headers: { "retry-after": "60", "x-sentry-rate-limits": "60:monitor:key" } });
    const first = await fetch(`${harness.url}/api/1/cron/limited/${KEY}/?status=ok`);
    expect(first.status).toBe(202);
    // Once the upstream's 429 is known, the relay refuses monitor data at the door, and still answers 202.
    await waitUntil(() => harness.service.rateLimits.check("1", KEY, ["monitor"]) !== undefined, "the upstream's monitor rate limit to be known");
    const before = harness.outcomes.get("rate_limited:monitor:rate_limited");
    const second = await fetch(`${harness.url}/api/1/cron/limited/${KEY}/?status=ok`);
    expect(second.status).toBe(202);
    expect(harness.outcomes.get("rate_limited:monitor:rate_limited")).toBe(before + 1);
  });
});
