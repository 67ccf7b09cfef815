import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseEnvelope } from "@org/protocol/envelope";
import { DEADLINE_MS, hang, startHttpRecorder, waitUntil, type HttpRecorder, type RecordedRequest } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidDsnError, SentryClient, type ClientOptions } from "../src/sentry-client.js";
import { sentryTest } from "../src/sentry-test.js";

const KEY = "0123456789abcdef0123456789abcdef";
const quiet = { info: () => undefined, error: () => undefined };

function eventOf(request: RecordedRequest): Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- free-form event JSON */ {
  const envelope = parseEnvelope(request.body);
  if (!envelope.ok) throw envelope.error;
  const item = envelope.value.items.find((i) => i.headers.type === "event");
  return JSON.parse(Buffer.from(item!.payload).toString()) as Record<string, unknown>;
}

describe("SentryClient", () => {
  let server: HttpRecorder;
  let client: SentryClient | undefined;
  const make = (options: ClientOptions = {}): SentryClient => {
    client = new SentryClient(`http://${KEY}@127.0.0.1:${server.port}/42`, { log: quiet, captureUncaught: false, ...options });
    return client;
  };

  beforeEach(async () => {
    server = await startHttpRecorder();
  });
  afterEach(async () => {
    await client?.close(100);
    client = undefined;
    await server.close();
  });

  it("is disabled by an empty DSN, says so once, and falls back to SENTRY_DSN", () => {
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const disabled = new SentryClient("", { log, env: {} });
    expect(disabled.enabled).toBe(false);
    expect(disabled.captureMessage("ignored")).toMatch(/^[0-9a-f]{32}$/);
    expect(lines).toEqual(["sentry: client disabled (no DSN configured)"]);
    const fromEnv = new SentryClient(undefined, { log, env: { SENTRY_DSN: `https://${KEY}@sentry.example/7` }, captureUncaught: false });
    expect(fromEnv.enabled).toBe(true);
    expect(lines[1]).toBe("sentry: client active, sending to https://sentry.example/api/7/envelope/");
  });

  it("reports a malformed DSN at once with the reason", () => {
    expect(() => new SentryClient("https://sentry.example/7", { log: quiet })).toThrow(InvalidDsnError);
    expect(() => new SentryClient("ftp://k@h/1", { log: quiet })).toThrow(/unsupported scheme/);
  });

  it("sends an exception with every attribute, gzip'd, with the auth header", async () => {
    const sdk = make({ release: "app@1.2.3", environment: "production", serverName: "web-1", tags: { tier: "web" } });
    sdk.addBreadcrumb({ category: "ui", message: "clicked pay" });
    function checkout(): never {
      throw new TypeError("card declined");
    }
    let id = "";
    try {
      checkout();
    } catch (error) {
      id = sdk.captureException(error, { tags: { tier: "api" } });
    }
    expect(sdk.lastEventId).toBe(id);
    const [request] = await server.waitFor(1);
    expect(request!.url).toBe("/api/42/envelope/");
    expect(request!.headers["content-encoding"]).toBe("gzip");
    expect(request!.headers["user-agent"]).toBe("org.sdk.node/0.1.0");
    expect(request!.headers["x-sentry-auth"]).toMatch(new RegExp(`^Sentry sentry_version=7, sentry_client=org.sdk.node/0.1.0, sentry_timestamp=\\d+, sentry_key=${KEY}$`));
    const event = eventOf(request!);
    expect(event).toMatchObject({
      event_id: id,
      level: "error",
      logger: "root",
      platform: "node",
      server_name: "web-1",
      release: "app@1.2.3",
      environment: "production",
      sdk: { name: "org.sdk.node", version: "0.1.0" },
      tags: [["tier", "web"], ["tier", "api"]],
      breadcrumbs: { values: [{ category: "ui", message: "clicked pay" }] },
    });
    expect(typeof event.timestamp).toBe("number");
    const exception = event.exception.values[0];
    expect(exception).toMatchObject({ type: "TypeError", value: "card declined" });
    const top = exception.stacktrace.frames.at(-1);
    expect(top).toMatchObject({ function: "checkout", in_app: true });
    expect(top.filename).toBe(fileURLToPath(import.meta.url));
    expect(top.lineno).toBeGreaterThan(0);
    expect(top.colno).toBeGreaterThan(0);
  });

  it("merges tags client → block → event, and keeps concurrent contexts apart", async () => {
    const sdk = make({ tags: { foo: "bar" } });
    // Both contexts are set before either captures: each capture runs while the other context exists.
    let arrived = 0;
    let bothSet: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (bothSet = resolve));
    await Promise.all(
      ["alice", "bob"].map((name) =>
        sdk.runWithContext(async () => {
          sdk.userContext({ id: name });
          sdk.tagsContext({ request: name });
          if (++arrived === 2) bothSet();
          await together;
          sdk.captureMessage(`hello ${name}`, { tags: { foo: "baz" } });
        }),
      ),
    );
    const requests = await server.waitFor(2);
    const events = requests.map(eventOf).sort((a, b) => String(a.user.id).localeCompare(String(b.user.id)));
    expect(events.map((e): unknown[] => [e.user.id, e.logentry.formatted, e.tags])).toEqual([
      ["alice", "hello alice", [["foo", "bar"], ["request", "alice"], ["foo", "baz"]]],
      ["bob", "hello bob", [["foo", "bar"], ["request", "bob"], ["foo", "baz"]]],
    ]);
    sdk.captureMessage("outside");
    const [, , outside] = await server.waitFor(3);
    expect(eventOf(outside!).user).toBeUndefined();
  });

  it("wraps blocks: reports and rethrows, sync and async", async () => {
    const sdk = make();
    expect(() => sdk.captureExceptions({ tags: { block: "sync" } }, () => { throw new Error("sync boom"); })).toThrow("sync boom");
    await expect(sdk.captureExceptions({ tags: { block: "async" } }, () => Promise.reject(new Error("async boom")))).rejects.toThrow("async boom");
    expect(sdk.captureExceptions({}, () => 42)).toBe(42);
    const events = (await server.waitFor(2)).map(eventOf);
    expect(events.map((e): unknown[] => [e.exception.values[0].value, e.tags])).toEqual([
      ["sync boom", [["block", "sync"]]],
      ["async boom", [["block", "async"]]],
    ]);
  });

  it("does not send cookies, request bodies or values of sensitive keys; beforeSend may drop", async () => {
    const sdk = make({ beforeSend: (event) => ((event.extra as Record<string, unknown>).drop ? null : event) });
    sdk.httpContext({ url: "https://shop/pay", method: "POST", cookies: "session=abc", data: { card: "4111" }, headers: { Cookie: "session=abc", Authorization: "Bearer t", Accept: "*/*" } });
    sdk.extraContext({ password: "hunter2", api_key: "k", note: "fine" });
    sdk.captureMessage("scrub me");
    sdk.extraContext({ drop: true });
    sdk.captureMessage("dropped");
    const [request] = await server.waitFor(1);
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(1);
    const event = eventOf(request!);
    expect(event.request).toEqual({ url: "https://shop/pay", method: "POST", headers: { Authorization: "[Filtered]", Accept: "*/*" } });
    expect(event.extra).toEqual({ password: "[Filtered]", api_key: "[Filtered]", note: "fine" });
  });

  it("times out on a hanging server, then backs off min(n, 6)² seconds", async () => {
    server.respond(hang);
    // The backoff runs on the injected clock, which stands still: the second event can only wait.
    const at = Date.now();
    const sdk = make({ timeoutMs: 200, now: () => at });
    sdk.captureMessage("into the void");
    await server.waitFor(1);
    await waitUntil(() => sdk.stats?.failed === 1, "the request to time out");
    expect(sdk.stats).toMatchObject({ failed: 1, lastResult: "timeout" });
    sdk.captureMessage("waits for the backoff");
    expect(await sdk.flush(300)).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("retries after a 500 once the backoff allows it", async () => {
    let calls = 0;
    server.respond((_request, response) => {
      calls += 1;
      response.writeHead(calls === 1 ? 500 : 200).end("{}");
    });
    const sdk = make();
    sdk.captureMessage("flaky");
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(sdk.stats).toMatchObject({ sent: 1, failed: 1 });
  });

  it("honours 429 with Retry-After: later events are dropped locally", async () => {
    server.respond((_request, response) => response.writeHead(429, { "retry-after": "60" }).end());
    const sdk = make();
    sdk.captureMessage("limited");
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    sdk.captureMessage("not sent");
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(sdk.stats?.droppedRateLimited).toBe(2);
  });

  it("drops and counts events beyond the queue", () => {
    server.respond(hang);
    const sdk = make({ queueSize: 2, timeoutMs: 100 });
    for (let i = 0; i < 5; i++) sdk.captureMessage(`event ${i}`);
    // The event being sent still holds its place until the server answers.
    expect(sdk.stats?.droppedQueueFull).toBe(3);
  });

  it("sentry-test reports the event id and whether it was accepted", async () => {
    const lines: string[] = [];
    const code = await sentryTest([`http://${KEY}@127.0.0.1:${server.port}/42`], (text) => lines.push(text));
    expect(code).toBe(0);
    expect(lines.join("")).toMatch(/event id: [0-9a-f]{32}\naccepted by the server \(200\)\n/);
    server.respond((_request, response) => response.writeHead(403, { "x-sentry-error": "unknown key" }).end());
    expect(await sentryTest([`http://${KEY}@127.0.0.1:${server.port}/42`], () => undefined)).toBe(1);
    expect(await sentryTest(["not a dsn"], () => undefined)).toBe(2);
  });

  it("delivers the event of an uncaught error before the process exits, by default", async () => {
    const script = `
      import { SentryClient } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      // A long shutdownTimeout: the process still exits as soon as the event is sent, and a busy machine gets the time it needs.
      new SentryClient(${JSON.stringify(`http://${KEY}@127.0.0.1:${server.port}/42`)}, { log: { info() {}, error() {} }, shutdownTimeout: 120_000 });
      setTimeout(() => { throw new RangeError("crash at startup"); }, 10);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "pipe"] });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    const [request] = await server.waitFor(1);
    expect(eventOf(request!)).toMatchObject({ level: "fatal", exception: { values: [{ type: "RangeError", value: "crash at startup" }] } });
  });
});
