import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readEnvelopeHeaders } from "./envelope-meta.js";
import { normalizeEventId } from "./event-id.js";

describe("normalizeEventId", () => {
  it.each([
    ["9ec79c33ec9942ab8353589fcb2e04dc", "9ec79c33ec9942ab8353589fcb2e04dc"],
    ["9EC79C33EC9942AB8353589FCB2E04DC", "9ec79c33ec9942ab8353589fcb2e04dc"],
    ["9EC79C33-EC99-42AB-8353-589FCB2E04DC", "9ec79c33ec9942ab8353589fcb2e04dc"],
    ["00000000-0000-0000-0000-000000000000", "0".repeat(32)],
    ["abc", undefined],
    ["9ec79c33ec9942ab8353589fcb2e04d", undefined],
    ["9ec79c33-ec99-42ab-8353589fcb2e04dc", undefined],
    ["9ec79c33ec9942ab8353589fcb2e04dg", undefined],
    [42, undefined],
    [null, undefined],
  ])("reads %j as %j", (input, expected) => {
    expect(normalizeEventId(input)).toBe(expected);
  });
});

describe("readEnvelopeHeaders", () => {
  it("reads every attribute the spec names", () => {
    const result = readEnvelopeHeaders({
      event_id: "9EC79C33-EC99-42AB-8353-589FCB2E04DC",
      dsn: "https://key@o1.ingest.example/42",
      sdk: { name: "sentry.javascript.node", version: "11.12.0", integrations: [] },
      sent_at: "2026-11-22T13:47:52.193Z",
      trace: { trace_id: "8b5b1db1940244379d6c8d90cefd8a8d", public_key: "PUBLIC", release: "r1", environment: "test", sampled: "true", sample_rate: "1", transaction: "tx" },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        eventId: "9ec79c33ec9942ab8353589fcb2e04dc",
        dsn: "https://key@o1.ingest.example/42",
        sdk: { name: "sentry.javascript.node", version: "11.12.0" },
        sentAt: new Date(Date.UTC(2026, 10, 22, 13, 47, 52, 193)),
        trace: { traceId: "8b5b1db1940244379d6c8d90cefd8a8d", publicKey: "PUBLIC", release: "r1", environment: "test", sampled: "true", sampleRate: "1", transaction: "tx" },
      },
    });
  });

  it("takes an empty header and nulls as absent", () => {
    const empty = { eventId: undefined, dsn: undefined, sdk: undefined, sentAt: undefined, trace: undefined };
    expect(readEnvelopeHeaders({})).toEqual({ ok: true, value: empty });
    expect(readEnvelopeHeaders({ event_id: null, sent_at: null })).toEqual({ ok: true, value: empty });
  });

  it("ignores a malformed sdk or trace, as Sentry does", () => {
    const result = readEnvelopeHeaders({ sdk: "node", trace: { public_key: "PUBLIC" } });
    expect(result.ok && [result.value.sdk, result.value.trace]).toEqual([undefined, undefined]);
    const partial = readEnvelopeHeaders({ sdk: { name: "x" }, trace: [] });
    expect(partial.ok && [partial.value.sdk, partial.value.trace]).toEqual([undefined, undefined]);
  });

  it.each([
    ["2026-11-22T13:47:52.193Z", "2026-11-22T13:47:52.193Z"],
    ["2026-11-22T13:47:52Z", "2026-11-22T13:47:52.000Z"],
    ["2026-11-22T13:47:52.123456+02:00", "2026-11-22T11:47:52.123Z"],
    ["2026-11-22t13:47:52z", "2026-11-22T13:47:52.000Z"],
    ["2026-11-22 13:47:52-05:30", "2026-11-22T19:17:52.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
  ])("reads sent_at %j", (sentAt, iso) => {
    const result = readEnvelopeHeaders({ sent_at: sentAt });
    expect(result.ok && result.value.sentAt?.toISOString()).toBe(iso);
  });

  it.each([
    ["event_id", "not-an-id", "invalid_event_id"],
    ["event_id", 12, "invalid_event_id"],
    ["event_id", "", "invalid_event_id"],
    ["dsn", 42, "invalid_dsn"],
    ["dsn", null, "invalid_dsn"],
    ["sent_at", "2026-11-22", "invalid_sent_at"],
    ["sent_at", "2026-11-22T13:47:52", "invalid_sent_at"],
    ["sent_at", "2026-02-30T00:00:00Z", "invalid_sent_at"],
    ["sent_at", "2025-02-29T00:00:00Z", "invalid_sent_at"],
    ["sent_at", "2026-11-22T24:00:00Z", "invalid_sent_at"],
    ["sent_at", "2026-13-01T00:00:00Z", "invalid_sent_at"],
    ["sent_at", "2026-11-22T13:47:52+0200", "invalid_sent_at"],
    ["sent_at", 1795355272.193, "invalid_sent_at"],
  ])("refuses %s %j with %s", (name, value, code) => {
    const result = readEnvelopeHeaders({ [name]: value });
    expect(result.ok ? "read" : result.error.code).toBe(code);
    expect(result.ok ? "" : result.error.message).toContain(name);
  });

  it("never throws, whatever the header holds", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("event_id", "dsn", "sdk", "sent_at", "trace", "x"), fc.jsonValue()), (headers) => {
        return typeof readEnvelopeHeaders(headers).ok === "boolean";
      }),
    );
  });
});
