import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCaptureUiDir } from "../src/routes/capture-ui.js";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` };

/** Reads server-sent events from a streaming response, one at a time. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return async function next(): Promise<{ event: string; data: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form JSON
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data) };
        continue;
      }
      const chunk = await reader.read();
      if (chunk.done) throw new Error("the stream ended");
      buffer += chunk.value;
    }
  };
}

describe("capture mode's web page and live feed", () => {
  let relay: Harness;
  let url: string;
  beforeAll(async () => {
    relay = startHarness();
    await relay.app.listen({ host: "127.0.0.1", port: 0 });
    const address = relay.app.server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await relay.close();
  });

  const send = async (body: string) => {
    const response = await fetch(`${url}/api/1/envelope/`, { method: "POST", headers: AUTH, body });
    await response.text();
    return response;
  };

  it("serves the built page at / and its hashed assets for good", async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    const script = /src="\.\/assets\/([\w.-]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${url}/assets/${script!}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const css = readdirSync(join(defaultCaptureUiDir()!, "assets")).find((name) => name.endsWith(".css"))!;
    expect((await fetch(`${url}/assets/${css}`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it.for<[string, string, number, RegExp]>([
    ["a missing asset", "/assets/nothing-here.js", 404, /no file assets\/nothing-here\.js/],
    ["a hidden file", "/assets/.env", 400, /not an asset name/],
    ["a traversal", "/assets/..%2Fpackage.json", 400, /not an asset name/],
    ["a bad backlog", "/api/relay/events/stream/?backlog=lots", 400, /backlog must be a whole number/],
    ["a backlog over the bound", "/api/relay/events/stream/?backlog=5000", 400, /backlog must be a whole number from 0 to 1000/],
    ["a download with a bad id", "/api/relay/events/xyz/envelope/", 400, /not an event id: xyz/],
    ["a download of an unknown id", `/api/relay/events/${"a".repeat(32)}/envelope/`, 404, /no captured event/],
    ["a digest of an unknown id", `/api/relay/events/${"b".repeat(32)}/digest/`, 404, /no captured event/],
  ])("answers %s (%s) with %i and a reason", async ([_name, path, status, reason]) => {
    const response = await fetch(`${url}${path}`);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { detail: string }).detail).toMatch(reason);
  });

  it("streams the backlog, each new capture with its digest, and a clear; DELETE empties the store", async () => {
    const first = "1".repeat(32);
    expect((await send(`{"event_id":"${first}"}\n{"type":"event"}\n{"message":"before the page opened","level":"warning","sdk":{"name":"sentry.javascript.node","version":"11.12.0"}}`)).status).toBe(200);
    await relay.drain();

    const stream = await fetch(`${url}/api/relay/events/stream/`);
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const next = eventReader(stream.body!);
    const backlog = await next();
    expect(backlog).toMatchObject({ event: "captured", data: { event_id: first, title: "before the page opened", level: "warning", sdk: "sentry.javascript.node 11.12.0" } });
    expect(await next()).toEqual({ event: "ready", data: { total: 1 } });

    const second = "2".repeat(32);
    const spans = {
      items: [
        {
          trace_id: "c".repeat(32),
          span_id: "d".repeat(16),
          name: "Pageload",
          is_segment: true,
          start_timestamp: 1,
          end_timestamp: 2,
          attributes: { "sentry.op": { type: "string", value: "pageload" }, "sentry.segment.name.source": { type: "string", value: "url" }, "url.path": { type: "string", value: "/checkout" } },
        },
        { trace_id: "c".repeat(32), span_id: "e".repeat(16), parent_span_id: "d".repeat(16), name: "GET /api/cart", start_timestamp: 1.1, end_timestamp: 1.5 },
      ],
    };
    const body = JSON.stringify(spans);
    await send(`{"event_id":"${second}"}\n{"type":"span","item_count":2,"content_type":"application/vnd.sentry.items.span.v2+json"}\n${body}`);
    const live = await next();
    // Streamed spans are listed under their page load's path, not as "span" or "Pageload".
    expect(live).toMatchObject({ event: "captured", data: { event_id: second, item_types: ["span"], title: "/checkout", culprit: "pageload", trace_id: "c".repeat(32) } });

    const download = await fetch(`${url}/api/relay/events/${second}/envelope/`);
    expect(download.headers.get("content-type")).toBe("application/x-sentry-envelope");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="${second}.envelope"`);
    expect(await download.text()).toContain('"name":"GET /api/cart"');
    const digest = (await (await fetch(`${url}/api/relay/events/${second}/digest/`)).json()) as { title: string };
    expect(digest.title).toBe("/checkout");

    const cleared = await fetch(`${url}/api/relay/events/`, { method: "DELETE" });
    expect(await cleared.json()).toEqual({ deleted: 2 });
    expect(await next()).toEqual({ event: "cleared", data: {} });
    expect(((await (await fetch(`${url}/api/relay/events/`)).json()) as { total: number }).total).toBe(0);
    await stream.body!.cancel().catch(() => undefined);
  });

  it("ends open streams when the relay stops, instead of waiting for them", async () => {
    const other = startHarness();
    await other.app.listen({ host: "127.0.0.1", port: 0 });
    const port = (other.app.server.address() as { port: number }).port;
    const stream = await fetch(`http://127.0.0.1:${port}/api/relay/events/stream/`);
    const next = eventReader(stream.body!);
    expect((await next()).event).toBe("ready");
    await other.close();
    await expect(next()).rejects.toThrow("the stream ended");
  });
});
