import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Envelope, ParsedEnvelope } from "./envelope.js";
import { parseEnvelope } from "./parse-envelope.js";
import { serializeEnvelope } from "./serialize-envelope.js";

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function parsed(text: string): ParsedEnvelope {
  const result = parseEnvelope(enc(text));
  if (!result.ok) throw result.error;
  return result.value;
}

describe("serializeEnvelope", () => {
  it("writes a changed payload with its new length when the header declares one", () => {
    const envelope = parsed('{}\n{"type":"event","length":2,"x":"keep"}\nab\n');
    envelope.items[0]!.payload = enc("abcd");
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"event","length":4,"x":"keep"}\nabcd\n');
  });

  it("adds a length when a payload holds a newline", () => {
    const envelope: Envelope = { headers: {}, items: [{ headers: { type: "attachment" }, payload: enc("a\nb") }] };
    const bytes = serializeEnvelope(envelope);
    expect(dec(bytes)).toBe('{}\n{"type":"attachment","length":3}\na\nb\n');
    const back = parseEnvelope(bytes);
    expect(back.ok && dec(back.value.items[0]!.payload)).toBe("a\nb");
  });

  it("replaces a null length when the payload needs one", () => {
    const envelope = parsed('{}\n{"type":"log","length":null}\nab\n');
    envelope.items[0]!.payload = enc("a\nb");
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"log","length":3}\na\nb\n');
  });

  it("leaves a payload without newline and without length as it is", () => {
    const envelope: Envelope = { headers: { event_id: "a".repeat(32) }, items: [{ headers: { type: "event" }, payload: enc("{}") }] };
    expect(dec(serializeEnvelope(envelope))).toBe(`{"event_id":"${"a".repeat(32)}"}\n{"type":"event"}\n{}\n`);
  });

  it("renders a header again once it was changed in place, keeping unknown attributes", () => {
    const envelope = parsed('{"event_id" : "9ec79c33ec9942ab8353589fcb2e04dc", "custom":[1]}\n{"type":"attachment", "length":1,"z":true}\nx');
    envelope.items[0]!.headers.filename = "x.txt";
    envelope.headers.sent_at = "2026-01-01T00:00:00.000Z";
    expect(dec(serializeEnvelope(envelope))).toBe(
      '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","custom":[1],"sent_at":"2026-01-01T00:00:00.000Z"}\n{"type":"attachment","length":1,"z":true,"filename":"x.txt"}\nx',
    );
  });

  it("keeps the raw bytes of headers that were left alone beside changed ones", () => {
    const envelope = parsed('{"a" :1}\n{"type":"event" }\n{}\n{"type":"log" ,"length":1}\nx\n');
    envelope.items[1]!.payload = enc("yz");
    expect(dec(serializeEnvelope(envelope))).toBe('{"a" :1}\n{"type":"event" }\n{}\n{"type":"log","length":2}\nyz\n');
  });

  it("ends every item but the last with a newline, whatever the source did", () => {
    const envelope = parsed('{}\n{"type":"log"}\nfirst');
    envelope.items.push({ headers: { type: "log" }, payload: enc("second") });
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"log"}\nfirst\n{"type":"log"}\nsecond\n');
    envelope.items.reverse();
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"log"}\nsecond\n{"type":"log"}\nfirst');
  });

  it("writes a payload given to an item that ended right after its header", () => {
    const envelope = parsed('{}\n{"type":"log"}');
    envelope.items[0]!.payload = enc("now");
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"log"}\nnow');
  });

  it("drops items that were removed, and writes what stays byte for byte", () => {
    const envelope = parsed('{}\n{"type":"event"}\n{"a":1}\n{"type":"client_report"}\n{"b":2}\n');
    envelope.items.splice(1, 1);
    expect(dec(serializeEnvelope(envelope))).toBe('{}\n{"type":"event"}\n{"a":1}\n');
  });
});

describe("serializeEnvelope properties", () => {
  const payload = fc.uint8Array({ maxLength: 50 });
  const type = fc.constantFrom("attachment", "session", "log", "custom", "span");
  const attrs = fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/).filter((k) => k !== "type" && k !== "length"), fc.jsonValue(), { maxKeys: 3 });

  it("writes envelopes that parse back to the same headers and payloads", () => {
    fc.assert(
      fc.property(attrs, fc.array(fc.record({ type, attrs, payload, length: fc.boolean() }), { minLength: 1, maxLength: 5 }), (headers, items) => {
        const envelope: Envelope = {
          headers,
          items: items.map((i) => ({ headers: { ...i.attrs, type: i.type, ...(i.length ? { length: 0 } : {}) }, payload: i.payload })),
        };
        const back = parseEnvelope(serializeEnvelope(envelope));
        if (!back.ok) throw back.error;
        expect(back.value.headers).toEqual(JSON.parse(JSON.stringify(headers)));
        expect(back.value.items.map((i) => [i.headers.type, Buffer.from(i.payload).toString("hex")])).toEqual(
          items.map((i) => [i.type, Buffer.from(i.payload).toString("hex")]),
        );
      }),
    );
  });
});
