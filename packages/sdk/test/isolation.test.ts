import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startHttpRecorder, type HttpRecorder } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SentryClient } from "../src/sentry-client.js";
import { eventsOf, KEY, quiet, type Json } from "./helpers.js";

const REQUESTS = 50;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => { resolve((server.address() as AddressInfo).port); }));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => { resolve(); }));
}

describe("scopes per request", () => {
  let recorder: HttpRecorder;
  let app: Server | undefined;
  let client: SentryClient | undefined;

  beforeEach(async () => {
    recorder = await startHttpRecorder();
  });
  afterEach(async () => {
    if (app) await closeServer(app);
    app = undefined;
    await client?.close(1000);
    client = undefined;
    await recorder.close();
  });

  it("keeps breadcrumbs, tags, user and request of 50 interleaved node:http requests apart", async () => {
    const sdk = new SentryClient(`http://${KEY}@127.0.0.1:${recorder.port}/42`, { log: quiet, captureUncaught: false, sendClientReports: false, queueSize: 1000 });
    client = sdk;
    sdk.addBreadcrumb({ message: "boot" });
    // Every handler waits here until all requests are in flight, so their steps interleave.
    let arrived = 0;
    let releaseAll!: () => void;
    const allArrived = new Promise<void>((resolve) => { releaseAll = resolve; });
    app = createServer((request, response) => {
      void (async () => {
        const id = new URL(request.url ?? "/", "http://app").searchParams.get("id") ?? "?";
        sdk.setTag("request", id);
        sdk.setUser({ id });
        sdk.addBreadcrumb({ category: "step", message: `start ${id}` });
        arrived += 1;
        if (arrived === REQUESTS) releaseAll();
        await allArrived;
        sdk.addBreadcrumb({ category: "step", message: `middle ${id}` });
        await new Promise((resolve) => setImmediate(resolve));
        sdk.withScope((scope) => {
          scope.setTag("inner", id);
          sdk.captureMessage(`done ${id}`);
        });
        sdk.addBreadcrumb({ category: "step", message: `after ${id}` });
        response.end(id);
      })();
    });
    const port = await listen(app);
    const answers = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => fetch(`http://127.0.0.1:${port}/work?id=${i}`).then((r) => r.text())));
    expect(answers).toEqual(Array.from({ length: REQUESTS }, (_, i) => String(i)));

    sdk.captureMessage("outside any request");
    const events = eventsOf(await recorder.waitFor(REQUESTS + 1, 20_000));
    const byMessage = new Map<string, Json>(events.map((event) => [String(event.message), event]));
    for (let i = 0; i < REQUESTS; i++) {
      const event = byMessage.get(`done ${i}`);
      expect(event, `event of request ${i}`).toBeDefined();
      expect(event!.tags).toEqual([["request", String(i)], ["inner", String(i)]]);
      expect(event!.user).toEqual({ id: String(i) });
      expect(event!.breadcrumbs.values.map((crumb: { message: string }) => crumb.message)).toEqual(["boot", `start ${i}`, `middle ${i}`]);
      expect(event!.request).toMatchObject({ method: "GET", url: `http://127.0.0.1:${port}/work`, query_string: `id=${i}` });
    }
    const outside = byMessage.get("outside any request")!;
    expect(outside.tags).toEqual([]);
    expect(outside.user).toBeUndefined();
    expect(outside.request).toBeUndefined();
    expect(outside.breadcrumbs.values.map((crumb: { message: string }) => crumb.message)).toEqual(["boot"]);
  });

  it("withScope and withIsolationScope fork what they are given, and nothing leaks out", async () => {
    const sdk = new SentryClient(`http://${KEY}@127.0.0.1:${recorder.port}/42`, { log: quiet, captureUncaught: false, sendClientReports: false, defaultIntegrations: false });
    client = sdk;
    sdk.setTag("global", "1");
    await sdk.withIsolationScope(async (isolation) => {
      isolation.setTag("job", "a");
      sdk.addBreadcrumb({ message: "in job" });
      await Promise.resolve();
      sdk.withScope((scope) => {
        scope.setExtra("inner", true);
        scope.setLevel("warning");
        scope.setFingerprint(["custom"]);
        sdk.captureMessage("inside");
      });
      sdk.captureMessage("after withScope");
    });
    sdk.captureMessage("outside");
    const events = eventsOf(await recorder.waitFor(3));
    expect(events.map((event): unknown[] => [event.message, event.tags, event.extra, event.level, event.fingerprint, event.breadcrumbs.values.length])).toEqual([
      ["inside", [["global", "1"], ["job", "a"]], { inner: true }, "warning", ["custom"], 1],
      ["after withScope", [["global", "1"], ["job", "a"]], {}, "info", undefined, 1],
      ["outside", [["global", "1"]], {}, "info", undefined, 0],
    ]);
  });

  it("stops opening scopes for requests after close()", async () => {
    const sdk = new SentryClient(`http://${KEY}@127.0.0.1:${recorder.port}/42`, { log: quiet, captureUncaught: false, sendClientReports: false });
    await sdk.close(100);
    let seen: unknown = "unset";
    app = createServer((_request, response) => {
      seen = sdk.getIsolationScope().request;
      response.end();
    });
    const port = await listen(app);
    await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(seen).toBeUndefined();
  });
});
