import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDecompressor, inflateBounded, type Framing } from "./decompressor.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const json = Buffer.from('{"message":"hello"}');

describe("inflateBounded", () => {
  it.each([
    ["gzip", gzipSync(json), json],
    ["zlib", deflateSync(json), json],
    ["raw", deflateRawSync(json), json],
    ["deflate", deflateSync(json), json],
    ["deflate", deflateRawSync(json), json],
    ["deflate", deflateRawSync(Buffer.alloc(0)), Buffer.alloc(0)],
    ["br", brotliCompressSync(json), json],
  ] as const)("undoes %s", (framing, body, expected) => {
    const result = inflateBounded(body, framing, 1024);
    if (!result.ok) throw result.error;
    expect(text(result.value)).toBe(text(expected));
  });

  it("reads concatenated gzip members as one body, as Node does", () => {
    const body = Buffer.concat([gzipSync("hello"), gzipSync(" world")]);
    const result = inflateBounded(body, "gzip", 1024);
    expect(result.ok && text(result.value)).toBe("hello world");
  });

  it.each(["gzip", "zlib", "raw", "deflate", "br"] as const)("refuses garbage and empty input as %s", (framing) => {
    for (const body of [Buffer.from("definitely not compressed"), Buffer.alloc(0)]) {
      const result = inflateBounded(body, framing, 1024);
      expect(result.ok ? "decoded" : result.error.code).toBe("decompression_failed");
    }
  });

  it.each(["gzip", "zlib", "br"] as const)("refuses a truncated %s body, saying it ends early", (framing) => {
    const original = Buffer.alloc(10_000, "a");
    const body = framing === "gzip" ? gzipSync(original) : framing === "zlib" ? deflateSync(original) : brotliCompressSync(original);
    const result = inflateBounded(body.subarray(0, body.length - 6), framing, 100_000);
    expect(result).toMatchObject({ ok: false, error: { code: "decompression_failed" } });
    expect(!result.ok && result.error.message).toMatch(/ends early/);
  });

  it.each([0, 1, 18, 19])("holds exactly at a limit of %i bytes", (limit) => {
    const body = gzipSync(json);
    const result = inflateBounded(body, "gzip", limit);
    expect(result.ok ? "fits" : result.error.code).toBe(json.length <= limit ? "fits" : "too_large");
    const br = inflateBounded(brotliCompressSync(json), "br", limit);
    expect(br.ok ? "fits" : br.error.code).toBe(json.length <= limit ? "fits" : "too_large");
  });
});

describe("createDecompressor", () => {
  it("stops inside one input chunk as soon as the output passes the limit", () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    const decompressor = createDecompressor("gzip", 100_000);
    const out: Uint8Array[] = [];
    expect(decompressor.write(bomb, out)).toMatchObject({ code: "too_large" });
    expect(decompressor.produced).toBeGreaterThan(100_000);
    expect(decompressor.produced).toBeLessThanOrEqual(100_000 + 64 * 1024);
    expect(decompressor.finish(out)).toMatchObject({ code: "too_large" });
  });

  it("tells zlib from raw deflate even when the first bytes come one at a time", () => {
    for (const body of [deflateSync(json), deflateRawSync(json)]) {
      const decompressor = createDecompressor("deflate", 1024);
      const out: Uint8Array[] = [];
      for (const byte of body) expect(decompressor.write(Uint8Array.of(byte), out)).toBeUndefined();
      expect(decompressor.finish(out)).toBeUndefined();
      expect(text(Buffer.concat(out))).toBe(text(json));
    }
  });

  it("refuses brotli input larger than any body that fits the limit, before decoding it", () => {
    const atMargin = createDecompressor("br", 10_000);
    expect(atMargin.write(new Uint8Array(11_034), [])).toBeUndefined();
    expect(atMargin.finish([])).toMatchObject({ code: "decompression_failed" });
    const over = createDecompressor("br", 10_000);
    expect(over.write(new Uint8Array(11_035), [])).toMatchObject({ code: "too_large" });
  });

  it("gives the same output however the input is cut", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom<Framing>("gzip", "zlib", "raw", "deflate", "br"), fc.array(fc.nat(), { maxLength: 8 }), (data, framing, cuts) => {
        const body =
          framing === "gzip" ? gzipSync(data) : framing === "br" ? brotliCompressSync(data) : framing === "raw" ? deflateRawSync(data) : deflateSync(data);
        const decompressor = createDecompressor(framing, 4096);
        const out: Uint8Array[] = [];
        let from = 0;
        for (const cut of cuts.map((c) => c % (body.length + 1)).sort((a, b) => a - b)) {
          expect(decompressor.write(body.subarray(from, Math.max(from, cut)), out)).toBeUndefined();
          from = Math.max(from, cut);
        }
        expect(decompressor.write(body.subarray(from), out) ?? decompressor.finish(out)).toBeUndefined();
        expect(Buffer.concat(out).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
