import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unwrapStoreBody } from "./store-body.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const json = '{"message":"hello"}';

describe("unwrapStoreBody", () => {
  it("reads the spec's base64(zlib) example", () => {
    const result = unwrapStoreBody(Buffer.from("eF6rVspNLS5OTE9VslJQysxVyMxTKC1SKCxNLapUKEgsSswtVqoFAOKyDI4="), 1024);
    expect(result.ok && text(result.value)).toBe('{"message": "im in ur query params"}');
  });

  it.each([
    ["JSON as is", json],
    ["JSON after whitespace", `\n  ${json}`],
    ["base64 of JSON", Buffer.from(json).toString("base64")],
    ["URL-safe base64 without padding", Buffer.from(`{"m":"${"\xff".repeat(10)}?>"}`, "latin1").toString("base64url")],
    ["base64 broken into lines", Buffer.from(deflateSync(json)).toString("base64").replace(/(.{8})/g, "$1\r\n")],
    ["base64 of zlib", deflateSync(json).toString("base64")],
    ["base64 of raw deflate", deflateRawSync(json).toString("base64")],
    ["base64 of gzip", gzipSync(json).toString("base64")],
  ])("reads %s", (_name, body) => {
    const result = unwrapStoreBody(Buffer.from(body), 1024);
    if (!result.ok) throw result.error;
    expect(text(result.value).trim().startsWith("{")).toBe(true);
  });

  it("gives JSON bodies back without copying them", () => {
    const body = Buffer.from(json);
    expect(unwrapStoreBody(body, 1024)).toEqual({ ok: true, value: body });
    expect(unwrapStoreBody(Buffer.from("[1,2]"), 1024)).toMatchObject({ ok: true });
  });

  it.each([
    ["", "empty"],
    ["  \r\n", "empty"],
    ["not base64 at all!", "invalid_base64"],
    ["abcde", "invalid_base64"],
    ["==", "invalid_base64"],
    [Buffer.from("plain text, no json").toString("base64"), "decompression_failed"],
  ])("refuses %j with %s", (body, code) => {
    const result = unwrapStoreBody(Buffer.from(body), 1024);
    expect(result.ok ? "read" : result.error.code).toBe(code);
  });

  it("bounds the inflation of base64(zlib) bodies", () => {
    const body = Buffer.from(deflateSync(Buffer.alloc(1_000_000, 0x20)).toString("base64"));
    expect(unwrapStoreBody(body, 1000)).toMatchObject({ ok: false, error: { code: "too_large", status: 413 } });
  });

  it("never throws, and reads back every JSON text in each of its forms", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => typeof unwrapStoreBody(bytes, 4096).ok === "boolean"));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom("json", "base64", "zlib"), (value, form) => {
        const body = JSON.stringify(value);
        const sent = form === "json" ? Buffer.from(body) : Buffer.from((form === "zlib" ? deflateSync(body) : Buffer.from(body)).toString("base64"));
        const result = unwrapStoreBody(sent, 1 << 20);
        return result.ok && text(result.value) === body;
      }),
    );
  });
});
