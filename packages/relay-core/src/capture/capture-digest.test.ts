import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestCapture } from "./capture-digest.js";

const encoder = new TextEncoder();

function capture(itemTypes: string[], title: string, envelope: string) {
  return { id: "a".repeat(32), projectId: "1", receivedAt: Date.UTC(2026, 0, 2, 3, 4, 5), itemTypes, title, envelope: encoder.encode(envelope) };
}

const span = (fields: Record<string, unknown>, attributes: Record<string, string> = {}) => ({
  trace_id: "c".repeat(32),
  start_timestamp: 1,
  end_timestamp: 2,
  status: "ok",
  ...fields,
  attributes: Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, { type: "string", value }])),
});

describe("digestCapture", () => {
  it.each([
    [
      "an error: level, the top in-app frame, SDK, platform, trace",
      capture(["event"], "TypeError: boom", `{}\n{"type":"event"}\n${JSON.stringify({
        platform: "node",
        environment: "prod",
        sdk: { name: "sentry.javascript.node", version: "11.12.0" },
        contexts: { trace: { trace_id: "d".repeat(32) } },
        exception: { values: [{ type: "TypeError", value: "boom", stacktrace: { frames: [{ function: "main", filename: "app.js", in_app: true }, { function: "charge", filename: "pay.js", in_app: true }, { function: "lib", filename: "node_modules/x.js", in_app: false }] } }] },
      })}`),
      { title: "TypeError: boom", level: "error", culprit: "charge (pay.js)", sdk: "sentry.javascript.node 11.12.0", platform: "node", environment: "prod", trace_id: "d".repeat(32) },
    ],
    [
      "a message at its own level, with its culprit",
      capture(["event"], "hello", `{}\n{"type":"event"}\n{"message":"hello","level":"warning","culprit":"views.index"}`),
      { title: "hello", level: "warning", culprit: "views.index" },
    ],
    [
      "a page load named by its URL: listed by its path",
      capture(["span"], "span", `{"trace":{"trace_id":"${"c".repeat(32)}"},"sdk":{"name":"sentry.javascript.browser","version":"11.12.0"}}\n{"type":"span"}\n${JSON.stringify({ items: [span({ span_id: "1", parent_span_id: "0", name: "child" }), span({ span_id: "0", name: "Pageload", is_segment: true }, { "sentry.op": "pageload", "sentry.segment.name.source": "url", "url.path": "/checkout" })] })}`),
      { title: "/checkout", level: "ok", culprit: "pageload", sdk: "sentry.javascript.browser 11.12.0", trace_id: "c".repeat(32) },
    ],
    [
      "spans that ended after their segment was sent",
      capture(["span"], "span", `{}\n{"type":"span"}\n${JSON.stringify({ items: [span({ span_id: "1", parent_span_id: "0", name: "Layout shift" }, { "sentry.segment.name": "Pageload", "sentry.op": "ui.webvital.cls" })] })}`),
      { title: "1 more span of Pageload", culprit: "ui.webvital.cls" },
    ],
    [
      "logs: the first record and how many more",
      capture(["log"], "log", `{}\n{"type":"log"}\n${JSON.stringify({ items: [{ body: "user signed in", level: "info" }, { body: "second", level: "warn" }] })}`),
      { title: "user signed in (+1 more)", level: "info" },
    ],
    [
      "a check-in",
      capture(["check_in"], "check_in", `{}\n{"type":"check_in"}\n{"monitor_slug":"nightly","status":"error"}`),
      { title: "check-in nightly", level: "error" },
    ],
    [
      "a browser's CSP report, made an event",
      capture(["security"], "Blocked 'script' from 'evil.example'", `{}\n{"type":"security"}\n{"type":"csp","level":"error","culprit":"script-src 'self'","logentry":{"formatted":"Blocked 'script' from 'evil.example'"}}`),
      { title: "Blocked 'script' from 'evil.example'", level: "error", culprit: "script-src 'self'" },
    ],
    ["an item type nobody knows yet: as the store lists it", capture(["nel"], "nel", `{}\n{"type":"nel"}\n{"anything":1}`), { title: "nel", level: undefined }],
    ["an envelope that does not parse", capture(["event"], "kept title", "not an envelope"), { title: "kept title" }],
  ])("%s", (_name, entry, expected) => {
    expect(digestCapture(entry)).toMatchObject({ event_id: "a".repeat(32), received: "2026-01-02T03:04:05.000Z", ...expected });
  });

  it("never throws, whatever the items hold", () => {
    const types = fc.constantFrom("event", "transaction", "span", "log", "check_in", "session", "feedback", "nel");
    fc.assert(
      fc.property(types, fc.jsonValue(), fc.jsonValue(), (type, header, payload) => {
        const digest = digestCapture(capture([type], type, `${JSON.stringify(header)}\n{"type":"${type}"}\n${JSON.stringify(payload)}`));
        expect(typeof digest.title).toBe("string");
      }),
    );
    fc.assert(
      fc.property(types, fc.jsonValue(), (type, items) => {
        expect(typeof digestCapture(capture([type], type, `{}\n{"type":"${type}"}\n${JSON.stringify({ items })}`)).title).toBe("string");
      }),
    );
  });
});
