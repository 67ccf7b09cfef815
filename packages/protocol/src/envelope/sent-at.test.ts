import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newEventId, normalizeEventId } from "./event-id.js";
import { withSentAt } from "./sent-at.js";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

describe("withSentAt", () => {
  it("sets sent_at in the header and keeps the items byte for byte", () => {
    const items = '{"type":"attachment","length":3}\n\u0000\n\u00ff\n';
    const out = withSentAt(encoder.encode(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2020-01-01T00:00:00Z"}\n${items}`), NOW);
    expect(text(out)).toBe(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2026-01-02T03:04:05.006Z"}\n${text(encoder.encode(items))}`);
  });

  it("sets it in an envelope that is only a header", () => {
    expect(text(withSentAt(encoder.encode("{}"), NOW))).toBe('{"sent_at":"2026-01-02T03:04:05.006Z"}');
  });

  it("leaves an envelope whose header is not a JSON object as it is", () => {
    for (const header of ["[1]", "null", "not json", "\ufeff{}"]) {
      const payload = encoder.encode(`${header}\n{"type":"event"}\n{}`);
      expect(withSentAt(payload, NOW)).toBe(payload);
    }
  });

  it("never throws, and keeps everything after the header", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (payload) => {
        const out = withSentAt(payload, NOW);
        const end = payload.includes(10) ? payload.indexOf(10) : payload.length;
        return text(out.subarray(out.length - (payload.length - end))) === text(payload.subarray(end));
      }),
    );
  });
});

describe("newEventId", () => {
  it("gives 32 lowercase hex digits, a fresh one each time", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newEventId()));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(normalizeEventId(id)).toBe(id);
    }
  });
});
