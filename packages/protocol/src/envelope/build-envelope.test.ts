import { describe, expect, it } from "vitest";
import { createAttachmentItem, createEnvelope, createItem, createJsonItem } from "./build-envelope.js";
import { parseEnvelope } from "./parse-envelope.js";
import { serializeEnvelope } from "./serialize-envelope.js";

const dec = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");

describe("building envelopes", () => {
  it("writes an event with an attachment the way Sentry reads it", () => {
    const envelope = createEnvelope(
      { eventId: "9EC79C33-EC99-42AB-8353-589FCB2E04DC", sentAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), sdk: { name: "org.sdk", version: "1.0.0" } },
      [
        createJsonItem("event", { message: "héllo", level: "info" }),
        createAttachmentItem({ filename: "log.txt", data: "line 1\r\nline 2\n", contentType: "text/plain", attachmentType: "event.attachment" }),
        createAttachmentItem({ filename: "core.bin", data: Uint8Array.of(0, 10, 255) }),
      ],
    );
    const bytes = serializeEnvelope(envelope);
    expect(dec(bytes)).toBe(
      [
        '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2026-01-02T03:04:05.006Z","sdk":{"name":"org.sdk","version":"1.0.0"}}',
        '{"type":"event","length":35}',
        '{"message":"h\xC3\xA9llo","level":"info"}',
        '{"type":"attachment","length":15,"filename":"log.txt","content_type":"text/plain","attachment_type":"event.attachment"}',
        "line 1\r\nline 2\n",
        '{"type":"attachment","length":3,"filename":"core.bin"}',
        "\x00\n\xFF",
        "",
      ].join("\n"),
    );
    const back = parseEnvelope(bytes);
    if (!back.ok) throw back.error;
    expect(back.value.meta.eventId).toBe("9ec79c33ec9942ab8353589fcb2e04dc");
    expect(back.value.items.map((item) => [item.headers.type, item.payload.length])).toEqual([["event", 35], ["attachment", 15], ["attachment", 3]]);
  });

  it("writes the tunnel DSN, a trace and extra attributes", () => {
    const envelope = createEnvelope(
      { dsn: "https://key@o1.ingest.example/42", trace: { trace_id: "8b5b1db1940244379d6c8d90cefd8a8d", public_key: "key" }, extra: { custom: 1 } },
      [createItem("session", '{"sid":"x"}', { custom_item: true })],
    );
    expect(envelope.headers).toEqual({ custom: 1, dsn: "https://key@o1.ingest.example/42", trace: { trace_id: "8b5b1db1940244379d6c8d90cefd8a8d", public_key: "key" } });
    expect(envelope.items[0]!.headers).toEqual({ type: "session", length: 11, custom_item: true });
    const back = parseEnvelope(serializeEnvelope(envelope));
    expect(back.ok && back.value.meta.trace?.publicKey).toBe("key");
  });

  it("treats a bad event id or a value that is not JSON as a programming error", () => {
    expect(() => createEnvelope({ eventId: "nope" }, [])).toThrow(TypeError);
    expect(() => createJsonItem("event", undefined)).toThrow(TypeError);
    expect(() => createJsonItem("event", () => 1)).toThrow(TypeError);
  });
});
