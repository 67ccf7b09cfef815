import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EnvelopeParser } from "../envelope/envelope-parser.js";
import type { Result } from "../result.js";
import { BodyDecoder } from "./body-decoder.js";
import type { BodyError } from "./body-error.js";
import { decodeBody, decodeBodyStream } from "./decode-body.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const json = Buffer.from('{"message":"hello"}');
const MiB = 1024 * 1024;

function encode(data: Uint8Array, encoding: string): Buffer {
  switch (encoding) {
    case "gzip":
    case "x-gzip":
      return gzipSync(data);
    case "deflate":
      return deflateSync(data);
    case "br":
      return brotliCompressSync(data);
    default:
      return Buffer.from(data);
  }
}

function decodeInChunks(body: Uint8Array, cuts: readonly number[], options: Parameters<typeof BodyDecoder.create>[0]): Result<string, BodyError> {
  const decoder = BodyDecoder.create(options);
  if (!decoder.ok) return decoder;
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts.map((c) => c % (body.length + 1)).sort((a, b) => a - b)) {
    const pushed = decoder.value.push(body.subarray(from, Math.max(from, cut)));
    if (!pushed.ok) return pushed;
    out.push(...pushed.value);
    from = Math.max(from, cut);
  }
  const pushed = decoder.value.push(body.subarray(from));
  if (!pushed.ok) return pushed;
  const end = decoder.value.end();
  if (!end.ok) return end;
  return { ok: true, value: Buffer.concat([...out, ...pushed.value, ...end.value]).toString("latin1") };
}

describe("decodeBody", () => {
  it.each([
    ["gzip", gzipSync(json)],
    ["x-gzip", gzipSync(json)],
    ["deflate", deflateSync(json)],
    ["deflate", deflateRawSync(json)],
    ["br", brotliCompressSync(json)],
    ["", json],
    ["UTF-8", json],
    ["identity", json],
    [undefined, json],
    ["gzip, br", brotliCompressSync(gzipSync(json))],
    ["deflate, gzip", gzipSync(deflateSync(json))],
  ])("undoes Content-Encoding %j", (encoding, body) => {
    const result = decodeBody(body, { contentEncoding: encoding, maxSize: 1024 });
    expect(result.ok && text(result.value)).toBe(json.toString());
  });

  it("hands an unencoded body back as it is, not copied", () => {
    const result = decodeBody(json, { maxSize: 1024 });
    expect(result.ok && result.value).toBe(json);
  });

  it.each([
    ["compress", "unsupported_encoding"],
    ["gzip", "decompression_failed"],
    ["deflate", "decompression_failed"],
    ["br", "decompression_failed"],
  ])("refuses %s garbage with %s", (encoding, code) => {
    const result = decodeBody(Buffer.from("definitely not compressed"), { contentEncoding: encoding, maxSize: 1024 });
    expect(result.ok ? "decoded" : result.error.code).toBe(code);
    expect(result.ok ? 0 : result.error.status).toBe(400);
  });

  it("refuses a truncated gzip body", () => {
    const body = gzipSync(Buffer.alloc(10_000, "a"));
    const result = decodeBody(body.subarray(0, body.length - 10), { contentEncoding: "gzip", maxSize: 100_000 });
    expect(result.ok ? "decoded" : result.error.code).toBe("decompression_failed");
  });

  it.each(["gzip", "deflate", "br"])("stops a 10 MB %s bomb at the limit without inflating it", (encoding) => {
    const body = encode(new Uint8Array(10 * MiB), encoding);
    expect(body.length).toBeLessThan(20_000);
    const before = process.memoryUsage().arrayBuffers;
    const result = decodeBody(body, { contentEncoding: encoding, maxSize: MiB });
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(result).toMatchObject({ ok: false, error: { code: "too_large", status: 413 } });
    expect(grown).toBeLessThan(4 * MiB);
  });

  it("counts unencoded bodies against the limit too", () => {
    expect(decodeBody(Buffer.alloc(10), { maxSize: 10 }).ok).toBe(true);
    expect(decodeBody(Buffer.alloc(11), { maxSize: 10 })).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("holds the body as sent to maxEncodedSize", () => {
    const body = gzipSync(Buffer.from("x".repeat(1000)));
    expect(decodeBody(body, { contentEncoding: "gzip", maxSize: 2000, maxEncodedSize: body.length }).ok).toBe(true);
    const result = decodeBody(body, { contentEncoding: "gzip", maxSize: 2000, maxEncodedSize: body.length - 1 });
    expect(result).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(!result.ok && result.error.message).toMatch(/as sent/);
  });

  it("never throws on arbitrary bytes and encodings", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.constantFrom("gzip", "deflate", "br", "x-gzip", "", "bogus", "gzip, deflate"), (bytes, encoding) => {
        return typeof decodeBody(bytes, { contentEncoding: encoding, maxSize: 4096 }).ok === "boolean";
      }),
      { numRuns: 300 },
    );
  });

  it("gives back whatever gzip, deflate and brotli compressed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom("gzip", "deflate", "br", "gzip, br"), (bytes, encoding) => {
        const body = encoding === "gzip, br" ? brotliCompressSync(gzipSync(bytes)) : encode(bytes, encoding);
        const result = decodeBody(body, { contentEncoding: encoding, maxSize: 4096 });
        return result.ok && Buffer.from(result.value).equals(Buffer.from(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

describe("BodyDecoder", () => {
  it("stops a 10 MB gzip bomb fed in 1 KB chunks near the limit, by its own byte count", () => {
    const bomb = gzipSync(new Uint8Array(10 * MiB));
    const created = BodyDecoder.create({ contentEncoding: "gzip", maxSize: MiB });
    if (!created.ok) throw created.error;
    const decoder = created.value;
    let result: Result<Uint8Array[], BodyError> = { ok: true, value: [] };
    let delivered = 0;
    for (let at = 0; at < bomb.length && result.ok; at += 1024) {
      result = decoder.push(bomb.subarray(at, at + 1024));
      if (result.ok) for (const piece of result.value) delivered += piece.length;
    }
    expect(result).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(decoder.bytesIn).toBeLessThan(bomb.length);
    expect(decoder.bytesOut).toBe(delivered);
    expect(decoder.bytesOut).toBeLessThanOrEqual(MiB);
    expect(decoder.bytesInflated).toBeGreaterThan(MiB);
    expect(decoder.bytesInflated).toBeLessThanOrEqual(MiB + 64 * 1024);
    expect(decoder.end()).toEqual(result);
  });

  it("hands out decoded bytes while the body still arrives", () => {
    const original = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join(""));
    const body = gzipSync(original);
    const created = BodyDecoder.create({ contentEncoding: "gzip", maxSize: original.length });
    if (!created.ok) throw created.error;
    const half = created.value.push(body.subarray(0, body.length >> 1));
    expect(half.ok && half.value.length).toBeGreaterThan(0);
    created.value.push(body.subarray(body.length >> 1));
    expect(created.value.end().ok).toBe(true);
    expect(created.value.bytesOut).toBe(original.length);
  });

  it("gives the same bytes and errors however the body is cut into chunks", () => {
    const body = fc.tuple(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom("gzip", "deflate", "br", "", "gzip, br")).chain(([data, encoding]) =>
      fc.tuple(
        fc.constant(encoding),
        fc.oneof(
          fc.constant(encoding === "gzip, br" ? brotliCompressSync(gzipSync(data)) : encode(data, encoding)),
          fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => {
            const corrupt = Buffer.from(encode(data, encoding));
            if (corrupt.length > 0) corrupt[at % corrupt.length]! ^= flip;
            return corrupt;
          }),
        ),
      ),
    );
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 0, max: 3500 }), ([encoding, bytes], cuts, maxSize) => {
        const whole = decodeBody(bytes, { contentEncoding: encoding, maxSize });
        const expected = whole.ok ? { ok: true, value: Buffer.from(whole.value).toString("latin1") } : { ok: false, code: whole.error.code };
        const chunked = decodeInChunks(bytes, cuts, { contentEncoding: encoding, maxSize });
        expect(chunked.ok ? chunked : { ok: false, code: chunked.error.code }).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses an unknown encoding when created, and being fed after the end", () => {
    expect(BodyDecoder.create({ contentEncoding: "zstd", maxSize: 10 })).toMatchObject({ ok: false, error: { code: "unsupported_encoding" } });
    const created = BodyDecoder.create({ maxSize: 10 });
    if (!created.ok) throw created.error;
    expect(created.value.end()).toEqual({ ok: true, value: [] });
    expect(() => created.value.push(Uint8Array.of(1))).toThrow(/after end/);
  });
});

describe("decodeBodyStream", () => {
  it("decodes a gzip envelope posted in chunks to a real HTTP server, straight into the envelope parser", async () => {
    const envelope = Buffer.from(`{"event_id":"${"a".repeat(32)}"}\n{"type":"event"}\n{"message":"${"x".repeat(50_000)}"}\n{"type":"attachment","length":3}\nabc\n`);
    const body = gzipSync(envelope);
    let seen: { decoded: string; items: string[] } | undefined;
    const server = createServer((req, res) => {
      void (async () => {
        const decoder = BodyDecoder.create({ contentEncoding: req.headers["content-encoding"], maxSize: MiB });
        if (!decoder.ok) throw decoder.error;
        const parser = new EnvelopeParser({ maxSize: MiB });
        const decoded: Uint8Array[] = [];
        for await (const chunk of req) {
          const pieces = decoder.value.push(chunk as Buffer);
          if (!pieces.ok) throw pieces.error;
          for (const piece of pieces.value) {
            decoded.push(piece);
            if (!parser.push(piece).ok) throw new Error("envelope refused");
          }
        }
        const rest = decoder.value.end();
        if (!rest.ok) throw rest.error;
        for (const piece of rest.value) {
          decoded.push(piece);
          parser.push(piece);
        }
        const parsed = parser.end();
        if (!parsed.ok) throw parsed.error;
        seen = { decoded: Buffer.concat(decoded).toString(), items: parsed.value.items.map((item) => item.headers.type) };
        res.end("ok");
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-encoding": "gzip" } }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        for (let at = 0; at < body.length; at += 100) req.write(body.subarray(at, at + 100));
        req.end();
      });
      expect(seen).toEqual({ decoded: envelope.toString(), items: ["event", "attachment"] });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("stops pulling chunks once the limit is passed", async () => {
    const bomb = gzipSync(new Uint8Array(10 * MiB));
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bomb.length; at += 256) {
        pulled += 1;
        await Promise.resolve();
        yield bomb.subarray(at, at + 256);
      }
    }
    const result = await decodeBodyStream(source(), { contentEncoding: "gzip", maxSize: 100_000 });
    expect(result).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(pulled).toBeLessThan(bomb.length / 256 / 4);
  });

  it("gives what decodeBody gives", async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      const body = gzipSync(json);
      yield body.subarray(0, 5);
      yield body.subarray(5);
    }
    const result = await decodeBodyStream(source(), { contentEncoding: "gzip", maxSize: 100 });
    expect(result.ok && text(result.value)).toBe(json.toString());
  });
});
