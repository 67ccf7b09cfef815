import { DEADLINE_MS, hang, startHttpRecorder, type HttpRecorder } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SentryClient, type ClientOptions } from "../src/sentry-client.js";
import { clientReportsOf, discardTotals, eventsOf, itemsOf, KEY, quiet } from "./helpers.js";

describe("client reports", () => {
  let server: HttpRecorder;
  let client: SentryClient | undefined;
  const make = (options: ClientOptions = {}): SentryClient => {
    client = new SentryClient(`http://${KEY}@127.0.0.1:${server.port}/42`, { log: quiet, captureUncaught: false, ...options });
    return client;
  };

  // Hanging servers, refused connections and aborted requests must never leave a rejection unhandled.
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };

  beforeEach(async () => {
    server = await startHttpRecorder();
    process.on("unhandledRejection", onRejection);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await client?.close(100);
    client = undefined;
    await server.close();
    process.off("unhandledRejection", onRejection);
    expect(rejections).toEqual([]);
  });

  it("are sent by close() with what was dropped, by reason, in a client_report item", async () => {
    const before = Date.now() / 1000;
    const sdk = make({
      sampleRate: 0.5,
      random: (() => { let n = 0; return () => (n++ % 2 === 0 ? 0.1 : 0.9); })(),
      processors: [(event) => (event.message === "processed away" ? null : event)],
      beforeSend: (event) => (event.message === "refused" ? null : event),
    });
    // Draws alternate sampled / not sampled: four captures are sent to the pipeline, four dropped.
    for (const message of ["processed away", "x", "refused", "x", "kept", "x", "kept", "x"]) sdk.captureMessage(message);
    expect(await sdk.close(DEADLINE_MS)).toBe(true);
    const requests = server.requests;
    expect(eventsOf(requests).map((event): unknown => event.message)).toEqual(["kept", "kept"]);
    const [report] = clientReportsOf(requests);
    expect(Object.keys(report!).sort()).toEqual(["discarded_events", "timestamp"]);
    expect(discardTotals([report!])).toEqual({ "sample_rate/error": 4, "event_processor/error": 1, "before_send/error": 1 });
    const last = requests.at(-1)!;
    expect(last.headers["x-sentry-auth"]).toContain(`sentry_key=${KEY}`);
    expect(itemsOf(last).map((item) => item.type)).toEqual(["client_report"]);
    // In seconds, taken while the test ran.
    expect(report!.timestamp).toBeGreaterThanOrEqual(before);
    expect(report!.timestamp).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it("count queue overflow and events dropped locally while rate limited", async () => {
    server.respond((_request, response) => response.writeHead(429, { "x-sentry-rate-limits": "60:error:project" }).end());
    const sdk = make({ queueSize: 1 });
    sdk.captureMessage("answered 429");
    sdk.captureMessage("queue is full");
    await server.waitFor(1);
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    sdk.captureMessage("limited locally");
    sdk.captureMessage("limited locally too");
    server.respond((_request, response) => response.writeHead(200).end("{}"));
    // The limit is for errors only: the client report (category "internal") still goes out.
    expect(await sdk.close(DEADLINE_MS)).toBe(true);
    expect(discardTotals(clientReportsOf(server.requests))).toEqual({ "queue_overflow/error": 1, "ratelimit_backoff/error": 2 });
    expect(eventsOf(server.requests).map((event): unknown => event.message)).toEqual(["answered 429"]);
    expect(sdk.stats).toMatchObject({ droppedQueueFull: 1, droppedRateLimited: 3 });
  });

  it("count events given up after network errors", async () => {
    const refusing = await startHttpRecorder();
    const port = refusing.port;
    await refusing.close();
    let clock = Date.now();
    // Each reading of the clock is a minute later, so that backoff never holds the retries back.
    const sdk = new SentryClient(`http://${KEY}@127.0.0.1:${port}/42`, { log: quiet, captureUncaught: false, now: () => (clock += 60_000) });
    client = sdk;
    sdk.captureMessage("nobody listens");
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(sdk.discarded).toEqual([{ reason: "network_error", category: "error", quantity: 1 }]);
    expect(sdk.stats).toMatchObject({ failed: 3 });
  });

  it("are sent every clientReportFlushInterval while something was dropped", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const sdk = make({ sampleRate: 0, clientReportFlushInterval: 10_000 });
    sdk.captureMessage("sampled out");
    vi.advanceTimersByTime(9_999);
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await server.waitFor(1);
    expect(discardTotals(clientReportsOf(server.requests))).toEqual({ "sample_rate/error": 1 });
    // Nothing new was dropped: the next interval sends nothing.
    vi.advanceTimersByTime(10_000);
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(1);
    sdk.captureMessage("sampled out again");
    sdk.captureMessage("and again");
    vi.advanceTimersByTime(10_000);
    await server.waitFor(2);
    expect(discardTotals(clientReportsOf(server.requests.slice(1)))).toEqual({ "sample_rate/error": 2 });
  });

  it("are not sent when sendClientReports is false", async () => {
    const sdk = make({ sampleRate: 0, sendClientReports: false });
    sdk.captureMessage("sampled out");
    expect(await sdk.close(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it("close() honours its timeout with a hanging server, and nothing rejects", async () => {
    server.respond(hang);
    const errors: string[] = [];
    // The request itself would wait an hour, longer than the test may run: only close()'s own
    // timeout can make it resolve, and resolve false.
    const sdk = make({ sampleRate: 1, timeoutMs: 3_600_000, log: { info: () => undefined, error: (m) => errors.push(m) } });
    sdk.captureMessage("hangs");
    await server.waitFor(1);
    expect(await sdk.close(300)).toBe(false);
    // The request abandoned by close() is not reported as a failure of the server.
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
    // After close, captures are ignored and flush has nothing to wait for.
    sdk.captureMessage("after close");
    expect(await sdk.flush(100)).toBe(true);
  });
});
