import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Result } from "../result.js";
import type { EnvelopeError } from "./envelope-error.js";
import { EnvelopeParser } from "./envelope-parser.js";
import type { ParsedEnvelope } from "./envelope.js";
import { EVENT_ITEM_TYPES, KNOWN_ITEM_TYPES } from "./item-type.js";
import { parseEnvelope, parseEnvelopeStream } from "./parse-envelope.js";
import { serializeEnvelope } from "./serialize-envelope.js";

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const ID = "9ec79c33ec9942ab8353589fcb2e04dc";

function parsed(input: string | Uint8Array): ParsedEnvelope {
  const result = parseEnvelope(typeof input === "string" ? Buffer.from(input, "latin1") : input);
  if (!result.ok) throw result.error;
  return result.value;
}

/** A comparable picture of a parse result: everything but object identity. */
function picture(result: Result<ParsedEnvelope, EnvelopeError>): unknown {
  if (!result.ok) return { code: result.error.code, message: result.error.message };
  const { headers, meta, rawHeader, items } = result.value;
  return {
    headers,
    meta: { ...meta, sentAt: meta.sentAt?.toISOString() },
    rawHeader: dec(rawHeader),
    items: items.map((item) => ({ headers: item.headers, raw: dec(item.rawHeader!), payload: dec(item.payload), tail: item.tail })),
  };
}

function parseInChunks(bytes: Uint8Array, cuts: readonly number[], options = {}): Result<ParsedEnvelope, EnvelopeError> {
  const parser = new EnvelopeParser(options);
  let from = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
    const pushed = parser.push(bytes.slice(from, cut));
    if (!pushed.ok) return pushed;
    from = Math.max(from, cut);
  }
  const pushed = parser.push(bytes.slice(from));
  return pushed.ok ? parser.end() : pushed;
}

describe("parseEnvelope: the grammar of §4", () => {
  it.each([
    ["an item with length and a trailing newline", `{"event_id":"${ID}"}\n{"type":"attachment","length":5}\nhe\nlo\n`, [["attachment", "he\nlo", "newline"]]],
    ["an item with length at the very end", '{}\n{"type":"attachment","length":5}\nhello', [["attachment", "hello", "end"]]],
    ["an item without length up to the newline", '{}\n{"type":"event"}\n{"a":1}\n', [["event", '{"a":1}', "newline"]]],
    ["an item without length up to the end", '{}\n{"type":"event"}\n{"a":1}', [["event", '{"a":1}', "end"]]],
    ["a \\r before the newline, kept in the payload", '{}\n{"type":"log"}\nline\r\n', [["log", "line\r", "newline"]]],
    ["CRLF inside a payload with length", '{}\n{"type":"attachment","length":10}\n\xEF\xBB\xBFHello\r\n\n', [["attachment", "\xEF\xBB\xBFHello\r\n", "newline"]]],
    ["empty payloads with and without length", '{}\n{"type":"a"}\n\n{"type":"b","length":0}\n', [["a", "", "newline"], ["b", "", "end"]]],
    ["Relay's empty items followed by a newline", '{}\n{"type":"attachment","length":0}\n\n{"type":"attachment","length":0}\n', [["attachment", "", "newline"], ["attachment", "", "end"]]],
    ["Relay's empty items at the end", '{}\n{"type":"attachment","length":0}\n\n{"type":"attachment","length":0}', [["attachment", "", "newline"], ["attachment", "", "end-after-header"]]],
    ["an item header ending the envelope", '{}\n{"type":"client_report"}', [["client_report", "", "end-after-header"]]],
    ["an item header and its newline ending the envelope", '{}\n{"type":"client_report"}\n', [["client_report", "", "end"]]],
    ["binary bytes with length", '{}\n{"type":"attachment","length":4}\n\x00\n\xFF\r\n', [["attachment", "\x00\n\xFF\r", "newline"]]],
    ["length null, read as no length", '{}\n{"type":"event","length":null}\nab\n', [["event", "ab", "newline"]]],
    ["a header line ending in \\r", '{}\r\n{"type":"event"}\r\n{}\n', [["event", "{}", "newline"]]],
    ["several items of several types", '{}\n{"type":"event"}\n{}\n{"type":"attachment","length":1}\nx\n{"type":"session"}\n{}', [["event", "{}", "newline"], ["attachment", "x", "newline"], ["session", "{}", "end"]]],
  ])("reads %s", (_name, text, expected) => {
    const envelope = parsed(text);
    expect(envelope.items.map((item) => [item.headers.type, dec(item.payload), item.tail])).toEqual(expected);
    expect(dec(serializeEnvelope(envelope))).toBe(text);
  });

  it("keeps unknown item types and header attributes, and their raw bytes", () => {
    const text = '{"x":1, "nested":{"k":[1,2]}}\n{"type":"brand_new", "flavour":"mint","n":1.50}\n{}\n';
    const envelope = parsed(text);
    expect(envelope.headers).toEqual({ x: 1, nested: { k: [1, 2] } });
    expect(envelope.items[0]!.headers).toEqual({ type: "brand_new", flavour: "mint", n: 1.5 });
    expect(dec(envelope.items[0]!.rawHeader!)).toBe('{"type":"brand_new", "flavour":"mint","n":1.50}');
    expect(dec(serializeEnvelope(envelope))).toBe(text);
  });

  it("hands out payloads as views into the input, not copies", () => {
    const bytes = enc('{}\n{"type":"attachment","length":3}\nabc\n{"type":"event"}\n{}');
    const envelope = parseEnvelope(bytes);
    expect(envelope.ok && envelope.value.items.every((item) => item.payload.buffer === bytes.buffer)).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["\n", "invalid_header"],
    [" ", "invalid_header"],
    ["nope\n", "invalid_header"],
    ['[]\n{"type":"event"}\n{}', "invalid_header"],
    ['"text"\n{"type":"event"}\n{}', "invalid_header"],
    ['{"event_id":"xyz"}\n{"type":"event"}\n{}', "invalid_event_id"],
    ['{"event_id":42}\n{"type":"event"}\n{}', "invalid_event_id"],
    ['{"dsn":42}\n{"type":"event"}\n{}', "invalid_dsn"],
    ['{"sent_at":"yesterday"}\n{"type":"event"}\n{}', "invalid_sent_at"],
    ["{}", "no_items"],
    ["{}\n", "no_items"],
    ["{}\n\n", "invalid_item_header"],
    ['{}\n{"type":"event"}\n{}\n\n', "invalid_item_header"],
    ["{}\nnope\n", "invalid_item_header"],
    ["{}\n[1]\n", "invalid_item_header"],
    ['{}\n{"type":"event"\n}\n', "invalid_item_header"],
    ['{}\n{"type":"attachment","filename":5}\nx', "invalid_item_header"],
    ['{}\n{"type":"attachment","content_type":true}\nx', "invalid_item_header"],
    ['{}\n{"type":"span","item_count":-1}\n[]', "invalid_item_header"],
    ['{}\n{"length":2}\nab\n', "missing_item_type"],
    ['{}\n{"type":""}\n\n', "missing_item_type"],
    ['{}\n{"type":7}\n\n', "missing_item_type"],
    ['{}\n{"type":"event","length":-1}\n', "invalid_length"],
    ['{}\n{"type":"event","length":"2"}\nab\n', "invalid_length"],
    ['{}\n{"type":"event","length":1.5}\nab\n', "invalid_length"],
    ['{}\n{"type":"event","length":1e400}\nab\n', "invalid_length"],
    ['{}\n{"type":"event","length":10}\nab\n', "length_mismatch"],
    ['{}\n{"type":"event","length":1}\nab\n', "length_mismatch"],
    ['{}\n{"type":"event","length":2}\nab\r\n', "length_mismatch"],
    ['{}\n{"type":"attachment","length":3}', "length_mismatch"],
    ['{}\n{"type":"event"}\n{}\n{"type":"event"}\n{}', "duplicate_event_item"],
    ['{}\n{"type":"event"}\n{}\n{"type":"transaction"}\n{}', "duplicate_event_item"],
  ])("refuses %j with %s", (text, code) => {
    const result = parseEnvelope(Buffer.from(text, "latin1"));
    expect(result.ok ? "parsed" : result.error.code).toBe(code);
  });

  it("refuses header lines that are not UTF-8", () => {
    const bytes = Buffer.concat([Buffer.from('{}\n{"type":"'), Buffer.from([0xff]), Buffer.from('"}\n{}')]);
    expect(parseEnvelope(bytes)).toMatchObject({ ok: false, error: { code: "invalid_item_header" } });
  });

  it("says where it went wrong, and what status to answer", () => {
    const result = parseEnvelope(enc('{}\n{"type":"event"}\n{}\n{"type":"attachment","length":9}\nabc\n'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe("item 1 (payload at byte 56) declares 9 bytes but only 4 follow");
    expect(result.error.status).toBe(400);
    expect(result.error.name).toBe("EnvelopeError");
  });

  it("takes one event-like item beside any number of other items", () => {
    const text = `{}\n{"type":"transaction"}\n{}\n${'{"type":"span"}\n{}\n'.repeat(3)}{"type":"attachment","length":0}\n`;
    expect(parsed(text).items).toHaveLength(5);
  });

  it("limits the number of items", () => {
    const text = (count: number): Uint8Array => enc(`{}\n${'{"type":"log"}\nx\n'.repeat(count)}`);
    expect(parseEnvelope(text(10), { maxItems: 10 }).ok).toBe(true);
    const over = parseEnvelope(text(11), { maxItems: 10 });
    expect(over).toMatchObject({ ok: false, error: { code: "too_large", message: "the envelope has more than 10 items" } });
    expect(!over.ok && over.error.status).toBe(413);
  });

  it("limits the size in bytes", () => {
    const bytes = enc('{}\n{"type":"attachment","length":100}\n' + "x".repeat(100) + "\n");
    expect(parseEnvelope(bytes, { maxSize: bytes.length }).ok).toBe(true);
    expect(parseEnvelope(bytes, { maxSize: bytes.length - 1 })).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("reports an error inside the allowed size before the size itself", () => {
    const bytes = enc('{}\nnope\n' + "x".repeat(100));
    expect(parseEnvelope(bytes, { maxSize: 20 })).toMatchObject({ ok: false, error: { code: "invalid_item_header" } });
  });
});

describe("EnvelopeParser: incremental parsing", () => {
  it("hands out each item as soon as it is complete", () => {
    const parser = new EnvelopeParser();
    let pushed = 0;
    const push = (text: string): ReturnType<EnvelopeParser["push"]> => {
      pushed += text.length;
      return parser.push(enc(text));
    };
    expect(push(`{"event_id":"${ID.toUpperCase()}"`)).toEqual({ ok: true, value: [] });
    expect(parser.header).toBeUndefined();
    expect(push('}\n{"type":"event"}\n{"a"')).toEqual({ ok: true, value: [] });
    expect(parser.header?.meta.eventId).toBe(ID);
    const first = push(':1}\n{"type":"attachment","length":7}\nab');
    expect(first.ok && first.value.map((item) => dec(item.payload))).toEqual(['{"a":1}']);
    expect(push("c\ndef")).toEqual({ ok: true, value: [] });
    const second = push('\n{"type":"log"}\nlast');
    expect(second.ok && second.value.map((item) => dec(item.payload))).toEqual(["abc\ndef"]);
    const end = parser.end();
    expect(end.ok && end.value.items.map((item) => dec(item.payload))).toEqual(['{"a":1}', "abc\ndef", "last"]);
    expect(parser.bytesReceived).toBe(pushed);
  });

  it("keeps returning its first error", () => {
    const parser = new EnvelopeParser({ maxSize: 30 });
    expect(parser.push(enc('{}\n{"type":"log"}\n'))).toMatchObject({ ok: true });
    const over = parser.push(enc("x".repeat(20)));
    expect(over).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(parser.push(enc("more"))).toEqual(over);
    expect(parser.end()).toEqual(over);
  });

  it("refuses to be fed after the end", () => {
    const parser = new EnvelopeParser();
    parser.push(enc('{}\n{"type":"log"}\nx'));
    expect(parser.end().ok).toBe(true);
    expect(() => parser.push(enc("x"))).toThrow(/after end/);
  });

  it("copies what it keeps between chunks in linear time, one byte at a time included", () => {
    const bytes = enc(`{}\n{"type":"attachment","length":5000}\n${"y".repeat(5000)}\n{"type":"event"}\n{"a":"${"z".repeat(3000)}"}`);
    const parser = new EnvelopeParser();
    for (const byte of bytes) expect(parser.push(Uint8Array.of(byte)).ok).toBe(true);
    const end = parser.end();
    expect(end.ok && end.value.items.map((item) => item.payload.length)).toEqual([5000, 3008]);
  });
});

describe("parseEnvelopeStream", () => {
  it("reads an envelope posted in chunks to a real HTTP server", async () => {
    const body = enc(`{"event_id":"${ID}"}\n{"type":"event"}\n{"message":"hi"}\n{"type":"attachment","length":3}\n\x01\n\x02\n`);
    let result: Result<ParsedEnvelope, EnvelopeError> | undefined;
    const server = createServer((req: IncomingMessage, res) => {
      void parseEnvelopeStream(req, { maxSize: 1024 }).then((parsedResult) => {
        result = parsedResult;
        res.end(parsedResult.ok ? "ok" : parsedResult.error.code);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, method: "POST", path: "/api/1/envelope/" }, (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on("end", () => {
            resolve(text);
          });
        });
        req.on("error", reject);
        for (let at = 0; at < body.length; at += 7) req.write(body.subarray(at, at + 7));
        req.end();
      });
      expect(answer).toBe("ok");
      expect(result && picture(result)).toEqual(picture(parseEnvelope(body)));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("stops pulling chunks at the first error", async () => {
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield enc('{}\n{"type":"attachment","length":100000}\n');
        for (;;) {
          pulled += 1;
          await Promise.resolve();
          yield new Uint8Array(1000);
        }
      } finally {
        closed = true;
      }
    }
    const result = await parseEnvelopeStream(source(), { maxSize: 10_000 });
    expect(result).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(closed).toBe(true);
    expect(pulled).toBeLessThanOrEqual(10);
  });
});

// Envelopes as real clients could write them, built by hand rather than by the serializer.
const attributeName = fc.stringMatching(/^[a-z_]{1,6}$/).filter((name) => !["type", "length", "dsn"].includes(name));
const unknownAttributes = fc.dictionary(attributeName, fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 });
const spacing = fc.constantFrom("", " ", "\t");
function jsonLine(value: Record<string, unknown>, space: string): string {
  return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${space}${JSON.stringify(item)}`).join(`,${space}`)}}`;
}

const envelopeHeader = fc.record(
  {
    event_id: fc.oneof(fc.uuid().map((u) => u.replaceAll("-", "")), fc.uuid().map((u) => u.toUpperCase()), fc.constant(null)),
    sent_at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
    sdk: fc.record({ name: fc.string(), version: fc.string() }),
    // Built from parts: fc.webUrl() takes seconds per hundred values on a busy machine.
    dsn: fc
      .tuple(fc.constantFrom("http", "https"), fc.stringMatching(/^[0-9a-f]{32}$/), fc.domain(), fc.nat({ max: 9_999 }))
      .map(([scheme, key, host, project]) => `${scheme}://${key}@${host}/${project}`),
  },
  { requiredKeys: [] },
);

const item = fc.record({
  type: fc.constantFrom(...KNOWN_ITEM_TYPES.filter((type) => !EVENT_ITEM_TYPES.has(type)), "custom", "x"),
  extra: unknownAttributes,
  withLength: fc.boolean(),
  payload: fc.uint8Array({ maxLength: 40 }),
  space: spacing,
});

const validEnvelope = fc
  .record({
    header: envelopeHeader,
    headerExtra: unknownAttributes,
    headerCr: fc.boolean(),
    event: fc.option(fc.constantFrom("event", "transaction"), { nil: undefined }),
    items: fc.array(item, { minLength: 1, maxLength: 5 }),
    ending: fc.constantFrom("newline", "end", "end-after-header"),
  })
  .map(({ header, headerExtra, headerCr, event, items, ending }) => {
    const all = event ? [{ type: event, extra: {}, withLength: false, payload: enc("{}"), space: "" }, ...items] : items;
    const parts: Buffer[] = [Buffer.from(jsonLine({ ...headerExtra, ...header }, " ") + (headerCr ? "\r" : ""))];
    all.forEach((it, index) => {
      const last = index === all.length - 1;
      const payload = it.withLength ? it.payload : it.payload.filter((b) => b !== 0x0a);
      const headers = { type: it.type, ...it.extra, ...(it.withLength ? { length: payload.length } : {}) };
      parts.push(Buffer.from("\n" + jsonLine(headers, it.space)));
      if (last && ending === "end-after-header" && payload.length === 0) return;
      parts.push(Buffer.from("\n"), Buffer.from(payload));
      if (last && ending === "newline") parts.push(Buffer.from("\n"));
    });
    return new Uint8Array(Buffer.concat(parts));
  });

const tokens = fc.array(
  fc.oneof(
    fc.constantFrom("{}", "[]", '{"type":"event"}', '{"type":"log"}', '{"type":"a","length":3}', '{"type":"a","length":0}', `{"event_id":"${ID}"}`, "\n", "\r\n", "abc", "\xFF"),
    fc.string({ maxLength: 8 }),
  ),
  { maxLength: 14 },
).map((parts) => new Uint8Array(Buffer.from(parts.join(""), "latin1")));

const anyInput = fc.oneof(validEnvelope, tokens, fc.uint8Array({ maxLength: 300 }));

describe("envelope properties", () => {
  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(anyInput, fc.option(fc.nat({ max: 400 }), { nil: undefined }), fc.option(fc.nat({ max: 5 }), { nil: undefined }), (bytes, maxSize, maxItems) => {
        const result = parseEnvelope(bytes, { maxSize, maxItems });
        return typeof result.ok === "boolean";
      }),
      { numRuns: 500 },
    );
  });

  it("parses every well-formed envelope, and serializes it back to the same bytes", () => {
    fc.assert(
      fc.property(validEnvelope, (bytes) => {
        const result = parseEnvelope(bytes);
        if (!result.ok) throw result.error;
        return same(serializeEnvelope(result.value), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("serializes whatever it accepts back to the same bytes", () => {
    fc.assert(
      fc.property(anyInput, (bytes) => {
        const result = parseEnvelope(bytes);
        return !result.ok || same(serializeEnvelope(result.value), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same items and errors however the input is cut into chunks", () => {
    fc.assert(
      fc.property(anyInput, fc.array(fc.nat(), { maxLength: 12 }), fc.option(fc.nat({ max: 400 }), { nil: undefined }), (bytes, cuts, maxSize) => {
        const whole = picture(parseEnvelope(bytes, { maxSize, maxItems: 4 }));
        expect(picture(parseInChunks(bytes, cuts, { maxSize, maxItems: 4 }))).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });
});
