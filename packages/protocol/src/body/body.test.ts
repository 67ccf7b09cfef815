import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseByteSize } from "./byte-size.js";
import { decodeBody, unwrapStoreBody } from "./decode-body.js";
import { parseJsonLenient, repairNonFiniteNumbers } from "./lenient-json.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const json = Buffer.from('{"message":"hello"}');

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
  ])("undoes Content-Encoding %j", (encoding, body) => {
    const result = decodeBody(body, { contentEncoding: encoding, maxSize: 1024 });
    expect(result.ok && text(result.value)).toBe(json.toString());
  });

  it.each([
    ["compress", "unsupported_encoding"],
    ["gzip", "decompression_failed"],
    ["deflate", "decompression_failed"],
    ["br", "decompression_failed"],
  ])("refuses %s garbage with %s", (encoding, code) => {
    const result = decodeBody(Buffer.from("definitely not compressed"), { contentEncoding: encoding, maxSize: 1024 });
    expect(result.ok ? "decoded" : result.error.code).toBe(code);
  });

  it("refuses a truncated gzip body", () => {
    const body = gzipSync(Buffer.alloc(10_000, "a"));
    const result = decodeBody(body.subarray(0, body.length - 10), { contentEncoding: "gzip", maxSize: 100_000 });
    expect(result.ok ? "decoded" : result.error.code).toBe("decompression_failed");
  });

  it.each(["gzip", "deflate", "br"])("stops a 10 MB %s bomb at the limit without inflating it", (encoding) => {
    const bomb = Buffer.alloc(10 * 1024 * 1024);
    const body = encoding === "gzip" ? gzipSync(bomb) : encoding === "br" ? brotliCompressSync(bomb) : deflateSync(bomb);
    expect(body.length).toBeLessThan(20_000);
    const before = process.memoryUsage().arrayBuffers;
    const result = decodeBody(body, { contentEncoding: encoding, maxSize: 1024 * 1024 });
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(result.ok ? "decoded" : result.error.code).toBe("too_large");
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });

  it("counts identity bodies against the limit too", () => {
    expect(decodeBody(Buffer.alloc(11), { maxSize: 10 })).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("never throws on arbitrary bytes and encodings", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.constantFrom("gzip", "deflate", "br", "x-gzip", "", "bogus", "gzip, deflate"), (bytes, encoding) => {
        return typeof decodeBody(bytes, { contentEncoding: encoding, maxSize: 4096 }).ok === "boolean";
      }),
    );
  });

  it("round-trips whatever gzip and brotli compressed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const gz = decodeBody(gzipSync(bytes), { contentEncoding: "gzip", maxSize: 4096 });
        const br = decodeBody(brotliCompressSync(bytes), { contentEncoding: "br", maxSize: 4096 });
        return gz.ok && br.ok && Buffer.from(gz.value).equals(Buffer.from(bytes)) && Buffer.from(br.value).equals(Buffer.from(bytes));
      }),
    );
  });
});

describe("unwrapStoreBody", () => {
  it("reads the spec's base64(zlib) example", () => {
    const result = unwrapStoreBody(Buffer.from("eF6rVspNLS5OTE9VslJQysxVyMxTKC1SKCxNLapUKEgsSswtVqoFAOKyDI4="), 1024);
    expect(result.ok && text(result.value)).toBe('{"message": "im in ur query params"}');
  });

  it("takes JSON as is and base64 of JSON", () => {
    expect(unwrapStoreBody(json, 1024)).toEqual({ ok: true, value: json });
    const result = unwrapStoreBody(Buffer.from(json.toString("base64")), 1024);
    expect(result.ok && text(result.value)).toBe(json.toString());
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["not base64 at all!", "invalid_base64"],
    [Buffer.from("plain text, no json").toString("base64"), "decompression_failed"],
  ])("refuses %j with %s", (body, code) => {
    const result = unwrapStoreBody(Buffer.from(body), 1024);
    expect(result.ok ? "read" : result.error.code).toBe(code);
  });

  it("bounds the inflation of base64(zlib) bodies", () => {
    const body = Buffer.from(deflateSync(Buffer.alloc(1_000_000, 0x20)).toString("base64"));
    expect(unwrapStoreBody(body, 1000)).toMatchObject({ ok: false, error: { code: "too_large" } });
  });
});

describe("lenient JSON", () => {
  it("repairs Python's NaN and Infinity outside strings only", () => {
    expect(parseJsonLenient('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity \\" NaN"}')).toEqual({
      ok: true,
      value: { a: null, b: [null, null], c: 'NaN Infinity " NaN' },
    });
    expect(repairNonFiniteNumbers('{"a":1}')).toBe('{"a":1}');
  });

  it("reports invalid JSON", () => {
    expect(parseJsonLenient("{")).toMatchObject({ ok: false, error: { code: "invalid_json" } });
  });

  it("never changes valid JSON and never throws", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const result = parseJsonLenient(JSON.stringify(value));
      return result.ok && JSON.stringify(result.value) === JSON.stringify(value);
    }));
    fc.assert(fc.property(fc.string(), (input) => typeof parseJsonLenient(input).ok === "boolean"));
  });
});

describe("parseByteSize", () => {
  it.each([
    ["123", 123],
    ["1kB", 1000],
    ["1KB", 1024],
    ["1KiB", 1024],
    ["1MB", 1_000_000],
    ["1MiB", 1_048_576],
    ["100MiB", 104_857_600],
    ["1.5kB", 1500],
    [" 2 GiB ", 2 * 1024 ** 3],
  ])("reads %j as %d", (input, bytes) => {
    expect(parseByteSize(input)).toEqual({ ok: true, value: bytes });
  });

  it.each(["", "MiB", "1 parsec", "-1kB", "1e3", "1constructor", "1toString"])("refuses %j", (input) => {
    expect(parseByteSize(input)).toMatchObject({ ok: false, error: { code: "invalid_size" } });
  });
});
