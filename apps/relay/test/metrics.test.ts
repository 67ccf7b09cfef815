// @module-tag e2e
import { createSocket } from "node:dgram";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRelayProcess, type RelayProcess } from "./relay-process.js";

describe("statsd metrics", () => {
  const packets: string[] = [];
  const socket = createSocket("udp4");
  let dir: string;
  let relay: RelayProcess;

  beforeAll(async () => {
    socket.on("message", (message) => packets.push(...message.toString().split("\n")));
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    dir = mkdtempSync(join(tmpdir(), "relay-metrics-"));
    mkdirSync(join(dir, ".relay"));
    writeFileSync(
      join(dir, ".relay", "config.yml"),
      `relay:\n  mode: capture\n  port: 0\nmetrics:\n  statsd: 127.0.0.1:${socket.address().port}\n  prefix: test.relay\n  default_tags:\n    env: ci\n`,
    );
    relay = await startRelayProcess(dir, ["run"]);
  });

  afterAll(async () => {
    await relay.stop();
    socket.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends request counts, outcomes and spool gauges under the prefix with the default tags", async () => {
    const key = /http:\/\/([0-9a-f]{32})@/.exec(relay.dsn)![1]!;
    const response = await fetch(`${relay.url}/api/1/store/?sentry_key=${key}&sentry_version=7`, { method: "POST", body: '{"message":"counted"}' });
    expect(response.status).toBe(200);
    await waitUntil(
      () =>
        packets.some((p) => p.startsWith("test.relay.events.accepted")) &&
        packets.some((p) => p.startsWith("test.relay.processing.envelopes")) &&
        packets.some((p) => p.startsWith("test.relay.spool.depth:")),
      "the event's counters and a spool gauge to arrive",
      { everyMs: 50, detail: () => packets.join("\n") },
    );
    expect(packets.some((p) => p.startsWith("test.relay.spool.depth:") && p.includes("env:ci"))).toBe(true);
    expect(packets.some((p) => /^test\.relay\.requests:1\|c\|#.*status:200/.test(p) && p.includes("route:/api/:projectId/store/"))).toBe(true);
    expect(packets.some((p) => p.startsWith("test.relay.requests.duration:") && p.includes("|ms"))).toBe(true);
    expect(packets.some((p) => p.startsWith("test.relay.events.accepted:1|c") && p.includes("category:error"))).toBe(true);
    // Processed on the event loop or in a thread, as the load of the event loop decided.
    expect(packets.some((p) => /^test\.relay\.processing\.envelopes:1\|c\|#.*on:(event_loop|thread)/.test(p))).toBe(true);
  });
});

describe("Prometheus metrics", () => {
  let dir: string;
  let relay: RelayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-prometheus-"));
    mkdirSync(join(dir, ".relay"));
    writeFileSync(join(dir, ".relay", "config.yml"), "relay:\n  mode: capture\n  port: 0\nmetrics:\n  prometheus: true\n  default_tags:\n    region: eu\n");
    relay = await startRelayProcess(dir, ["run"]);
  });

  afterAll(async () => {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the same numbers at /metrics in the text format", async () => {
    const key = /http:\/\/([0-9a-f]{32})@/.exec(relay.dsn)![1]!;
    expect((await fetch(`${relay.url}/api/1/store/?sentry_key=${key}&sentry_version=7`, { method: "POST", body: '{"message":"scraped"}' })).status).toBe(200);
    let text = "";
    await waitUntil(
      async () => {
        const response = await fetch(`${relay.url}/metrics`);
        expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        text = await response.text();
        return text.includes("sentry_relay_events_accepted_total");
      },
      "the accepted event to be counted at /metrics",
      { everyMs: 50 },
    );
    expect(text).toMatch(/^sentry_relay_requests_total\{route="\/api\/:projectId\/store\/",method="POST",status="200",region="eu"\} 1$/m);
    expect(text).toMatch(/^sentry_relay_events_accepted_total\{category="error",reason="",region="eu"\} 1$/m);
    expect(text).toMatch(/^sentry_relay_requests_duration_seconds_bucket\{le="0\.005",/m);
    expect(text).toMatch(/^sentry_relay_spool_depth\{region="eu"\} \d+$/m);
  });
});
