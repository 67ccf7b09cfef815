import { DEADLINE_MS, startHttpRecorder, type HttpRecorder } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SentryClient, type ClientOptions } from "../src/sentry-client.js";
import { eventsOf, KEY, quiet } from "./helpers.js";

describe("SentryClient never breaks the application", () => {
  let server: HttpRecorder;
  let client: SentryClient | undefined;
  const make = (options: ClientOptions = {}): SentryClient => {
    client = new SentryClient(`http://${KEY}@127.0.0.1:${server.port}/42`, { log: quiet, captureUncaught: false, sendClientReports: false, ...options });
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

  it("sends a cyclic extra and a BigInt extra as safe JSON instead of throwing", async () => {
    const sdk = make();
    const cyclic: Record<string, unknown> = { name: "cart" };
    cyclic.self = cyclic;
    expect(() => sdk.captureException(new Error("with a cycle"), { extra: { self: cyclic } })).not.toThrow();
    expect(() => sdk.captureMessage("with a BigInt", { extra: { amount: 12345678901234567890n } })).not.toThrow();
    const events = eventsOf(await server.waitFor(2));
    expect(events.map((event): unknown => event.extra)).toEqual([{ self: { name: "cart", self: "[Circular ~]" } }, { amount: "[BigInt: 12345678901234567890]" }]);
  });

  it("applies normalizeDepth and normalizeMaxBreadth to extra, user, contexts and breadcrumb data", async () => {
    const sdk = make({ normalizeDepth: 2, normalizeMaxBreadth: 2 });
    sdk.addBreadcrumb({ message: "deep", data: { a: { b: { c: 1 } } } });
    sdk.setContext("order", { id: 1, items: [1, 2, 3], more: true });
    sdk.setUser({ id: 7, address: { city: { name: "Oslo" } } });
    sdk.captureMessage("limits", { extra: { a: { b: { c: 1 } }, list: [1, 2, 3] } });
    const [event] = eventsOf(await server.waitFor(1));
    expect(event!.extra).toEqual({ a: { b: "[Object]" }, list: [1, 2, "[MaxProperties ~]"] });
    expect(event!.user).toEqual({ id: 7, address: { city: "[Object]" } });
    expect(event!.contexts).toEqual({ order: { id: 1, items: "[Array]", more: "[MaxProperties ~]" } });
    expect(event!.breadcrumbs.values[0].data).toEqual({ a: { b: "[Object]" } });
  });

  it("contains a throwing beforeSend: the event is dropped and counted, the error logged once in debug mode", async () => {
    const lines: string[] = [];
    const sdk = make({
      debug: true,
      log: { info: () => undefined, error: (m) => lines.push(m) },
      beforeSend: (event) => {
        if ((event.extra as { explode?: boolean }).explode) throw new Error("beforeSend bug");
        return event;
      },
    });
    expect(() => sdk.captureMessage("first", { extra: { explode: true } })).not.toThrow();
    expect(() => sdk.captureMessage("second", { extra: { explode: true } })).not.toThrow();
    sdk.captureMessage("third");
    const events = eventsOf(await server.waitFor(1));
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(events.map((event): unknown => event.message)).toEqual(["third"]);
    expect(lines).toEqual(["sentry: beforeSend threw, the event was dropped: Error: beforeSend bug"]);
    expect(sdk.discarded).toEqual([{ reason: "before_send", category: "error", quantity: 2 }]);
  });

  it("counts events dropped on purpose by beforeSend and by processors, and drops on a processor that throws", async () => {
    const sdk = make({
      processors: [
        (event) => (event.message === "processor null" ? null : event),
        (event) => {
          if (event.message === "processor throws") throw new TypeError("processor bug");
          return event;
        },
      ],
      beforeSend: (event) => (event.message === "beforeSend null" ? null : event),
    });
    sdk.addEventProcessor((event) => ({ ...event, tags: [...(event.tags ?? []), ["added", "yes"]] }));
    for (const message of ["processor null", "processor throws", "beforeSend null", "kept"]) sdk.captureMessage(message);
    const events = eventsOf(await server.waitFor(1));
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(events.map((event): unknown => [event.message, event.tags])).toEqual([["kept", [["added", "yes"]]]]);
    expect(sdk.discarded).toEqual([
      { reason: "event_processor", category: "error", quantity: 2 },
      { reason: "before_send", category: "error", quantity: 1 },
    ]);
  });

  it("treats a callback result that is not an event or null as a drop", async () => {
    const sdk = make({ beforeSend: () => undefined as never });
    sdk.captureMessage("forgot to return");
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(server.requests).toHaveLength(0);
    expect(sdk.discarded).toEqual([{ reason: "before_send", category: "error", quantity: 1 }]);
  });

  it("contains a throwing beforeBreadcrumb: that breadcrumb is dropped, events go on", async () => {
    const sdk = make({
      beforeBreadcrumb: (crumb) => {
        if (crumb.category === "bad") throw new Error("crumb bug");
        return crumb.category === "hidden" ? null : { ...crumb, message: `${crumb.message ?? ""}!` };
      },
    });
    expect(() => { sdk.addBreadcrumb({ category: "bad", message: "x" }); }).not.toThrow();
    sdk.addBreadcrumb({ category: "hidden", message: "y" });
    sdk.addBreadcrumb({ category: "ok", message: "z" });
    sdk.captureMessage("with crumbs");
    const [event] = eventsOf(await server.waitFor(1));
    expect(event!.breadcrumbs.values.map((crumb: { message: string }) => crumb.message)).toEqual(["z!"]);
  });

  it("skips an integration whose setup throws and keeps working", async () => {
    const lines: string[] = [];
    let calledWith: unknown;
    const sdk = make({
      debug: true,
      log: { info: () => undefined, error: (m) => lines.push(m) },
      integrations: [
        { name: "Broken", setup: () => { throw new Error("setup bug"); } },
        { name: "Fine", setup: (c) => { calledWith = c; return undefined; } },
      ],
    });
    expect(calledWith).toBe(sdk);
    expect(lines).toEqual(["sentry: integration Broken failed to set up and is skipped: Error: setup bug"]);
    sdk.captureMessage("still here");
    expect(eventsOf(await server.waitFor(1))[0]!.message).toBe("still here");
  });

  it("samples error events with sampleRate and counts the rest", async () => {
    const draws = [0.1, 0.9, 0.3, 0.7];
    const sdk = make({ sampleRate: 0.5, random: () => draws.shift() ?? 0 });
    for (const n of [1, 2, 3, 4]) sdk.captureMessage(`event ${n}`);
    const events = eventsOf(await server.waitFor(2));
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
    expect(events.map((event): unknown => event.message)).toEqual(["event 1", "event 3"]);
    expect(sdk.discarded).toEqual([{ reason: "sample_rate", category: "error", quantity: 2 }]);
  });

  it("trims an event over the size cap, and drops (counted) one that cannot fit", async () => {
    const sdk = make({ maxEventBytes: 20_000 });
    for (let i = 0; i < 50; i++) sdk.addBreadcrumb({ message: `crumb ${i}`.padEnd(1000, ".") });
    sdk.captureMessage("big", { extra: { blob: "x".repeat(50_000) } });
    const [request] = await server.waitFor(1);
    const [event] = eventsOf([request!]);
    expect(event!.message).toBe("big");
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(20_000);
    expect(event!.extra.blob === `${"x".repeat(16 * 1024)}…`).toBe(true);
    expect(event!.breadcrumbs.values.length).toBeGreaterThan(0);
    expect(event!.breadcrumbs.values.at(-1).message).toMatch(/^crumb 49/);

    const tiny = new SentryClient(`http://${KEY}@127.0.0.1:${server.port}/42`, { log: quiet, captureUncaught: false, sendClientReports: false, maxEventBytes: 100 });
    tiny.captureMessage("cannot fit in 100 bytes");
    expect(tiny.discarded).toEqual([{ reason: "internal_sdk_error", category: "error", quantity: 1 }]);
    expect(await tiny.close(1000)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("keeps every event within the 1 MiB the relay accepts by default", async () => {
    const sdk = make();
    const huge = "x".repeat(3 * 1024 * 1024);
    sdk.setContext("blob", { huge });
    sdk.addBreadcrumb({ message: huge });
    sdk.captureMessage(huge, { extra: { huge, list: Array.from({ length: 1000 }, () => huge.slice(0, 5000)) } });
    const [request] = await server.waitFor(1);
    const [event] = eventsOf([request!]);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(1024 * 1024);
    expect(event!.message).toMatch(/^x+…$/);
  });

  it("keeps a logger that throws from reaching the application", async () => {
    const throwing = { info: () => { throw new Error("log bug"); }, error: () => { throw new Error("log bug"); } };
    const sdk = make({ log: throwing, debug: true, beforeSend: () => { throw new Error("x"); } });
    expect(() => sdk.captureMessage("m")).not.toThrow();
    expect(await sdk.flush(DEADLINE_MS)).toBe(true);
  });
});
