import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEventId, parseEnvelope, serializeEnvelope, type Envelope } from "./envelope.js";
import { itemCategory } from "./item-category.js";

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function parsed(text: string | Uint8Array): Envelope {
  const result = parseEnvelope(typeof text === "string" ? enc(text) : text);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("parseEnvelope", () => {
  it("reads items with and without length, with and without the trailing newline", () => {
    const text = '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"attachment","length":10}\n\xEF\xBB\xBFHello\r\n\n{"type":"event"}\n{"message":"hi"}';
    const envelope = parsed(Buffer.from(text, "latin1"));
    expect(envelope.headers.event_id).toBe("9ec79c33ec9942ab8353589fcb2e04dc");
    expect(envelope.items.map((i) => i.headers.type)).toEqual(["attachment", "event"]);
    expect(envelope.items[0]!.payload.length).toBe(10);
    expect(dec(envelope.items[1]!.payload)).toBe('{"message":"hi"}');
  });

  it("keeps a \\r before the newline in the payload", () => {
    expect(dec(parsed('{}\n{"type":"log"}\nline\r\n').items[0]!.payload)).toBe("line\r");
  });

  it("reads empty payloads", () => {
    const envelope = parsed('{}\n{"type":"a"}\n\n{"type":"b","length":0}\n');
    expect(envelope.items.map((i) => i.payload.length)).toEqual([0, 0]);
  });

  it("keeps unknown item types and header attributes", () => {
    const envelope = parsed('{"x":1}\n{"type":"brand_new","flavour":"mint"}\n{}\n');
    expect(envelope.headers.x).toBe(1);
    expect(envelope.items[0]!.headers).toEqual({ type: "brand_new", flavour: "mint" });
    expect(itemCategory("brand_new")).toBe("default");
    expect(itemCategory("__proto__")).toBe("default");
    expect(itemCategory("constructor")).toBe("default");
  });

  it.each([
    ["", "empty"],
    ["nope\n", "invalid_header"],
    ["[]\n", "invalid_header"],
    ['{"event_id":"xyz"}\n{"type":"event"}\n{}', "invalid_event_id"],
    ["{}\nnope\n", "invalid_item_header"],
    ['{}\n{"length":2}\nab\n', "missing_item_type"],
    ['{}\n{"type":"event","length":-1}\n', "invalid_length"],
    ['{}\n{"type":"event","length":"2"}\nab\n', "invalid_length"],
    ['{}\n{"type":"event","length":10}\nab\n', "length_mismatch"],
    ['{}\n{"type":"event","length":1}\nab\n', "length_mismatch"],
  ])("refuses %j with %s", (text, code) => {
    const result = parseEnvelope(enc(text));
    expect(result.ok ? "parsed" : result.error.code).toBe(code);
  });

  it("limits the number of items", () => {
    const text = `{}\n${'{"type":"log"}\nx\n'.repeat(11)}`;
    expect(parseEnvelope(enc(text), { maxItems: 10 })).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("normalizes event ids", () => {
    expect(normalizeEventId("9EC79C33-EC99-42AB-8353-589FCB2E04DC")).toBe("9ec79c33ec9942ab8353589fcb2e04dc");
    expect(normalizeEventId("00000000-0000-0000-0000-000000000000")).toBe("0".repeat(32));
    expect(normalizeEventId("abc")).toBeUndefined();
  });
});

describe("serializeEnvelope", () => {
  it("writes a changed payload with its new length when the header declares one", () => {
    const envelope = parsed('{}\n{"type":"event","length":2}\nab\n');
    envelope.items[0]!.payload = enc("abcd");
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"event","length":4}\nabcd\n');
  });

  it("adds a length when a payload holds a newline", () => {
    const envelope: Envelope = { headers: {}, items: [{ headers: { type: "attachment" }, payload: enc("a\nb") }] };
    const bytes = serializeEnvelope(envelope);
    expect(dec(bytes)).toBe('{}\n{"type":"attachment","length":3}\na\nb\n');
    expect(dec(parsed(bytes).items[0]!.payload)).toBe("a\nb");
  });
});

const jsonObject = fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 4 });
const item = fc.record({
  headers: fc.tuple(fc.constantFrom("event", "attachment", "session", "log", "custom"), jsonObject, fc.boolean()).map(([type, extra, withLength]) => ({
    ...extra,
    type,
    ...(withLength ? { length: 0 } : {}),
  })),
  payload: fc.uint8Array({ maxLength: 64 }),
});

describe("envelope properties", () => {
  it("never throws on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => typeof parseEnvelope(bytes).ok === "boolean"));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom("{}", '{"type":"event"}', '{"type":"a","length":3}', "\n", "\r\n", "abc"), fc.string()), { maxLength: 12 }), (parts) => {
        return typeof parseEnvelope(enc(parts.join(""))).ok === "boolean";
      }),
    );
  });

  it("parses what it serializes, item for item", () => {
    fc.assert(
      fc.property(jsonObject, fc.array(item, { minLength: 1, maxLength: 5 }), (headers, items) => {
        const bytes = serializeEnvelope({ headers, items: items.map((i) => ({ headers: i.headers, payload: i.payload })) });
        const back = parseEnvelope(bytes);
        if (!back.ok) return false;
        return (
          back.value.items.length === items.length &&
          back.value.items.every((got, i) => Buffer.from(got.payload).equals(Buffer.from(items[i]!.payload)) && got.headers.type === items[i]!.headers.type) &&
          Buffer.from(serializeEnvelope(back.value)).equals(Buffer.from(bytes))
        );
      }),
    );
  });
});
