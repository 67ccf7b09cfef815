import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseContentEncoding } from "./content-encoding.js";

describe("parseContentEncoding", () => {
  it.each([
    [undefined, []],
    ["", []],
    ["identity", []],
    ["UTF-8", []],
    ["utf-8", []],
    ["gzip", ["gzip"]],
    ["x-gzip", ["gzip"]],
    ["GZIP", ["gzip"]],
    [" deflate ", ["deflate"]],
    ["br", ["br"]],
    ["gzip, br", ["gzip", "br"]],
    ["gzip,,identity", ["gzip"]],
  ])("reads %j as %j", (header, codings) => {
    expect(parseContentEncoding(header)).toEqual({ ok: true, value: codings });
  });

  it.each(["compress", "zstd", "gzip, bogus", "x-deflate"])("refuses %j", (header) => {
    const result = parseContentEncoding(header);
    expect(result).toMatchObject({ ok: false, error: { code: "unsupported_encoding", status: 400 } });
    expect(!result.ok && result.error.message).toMatch(/unsupported Content-Encoding/);
  });

  it("never throws", () => {
    fc.assert(fc.property(fc.string(), (header) => typeof parseContentEncoding(header).ok === "boolean"));
  });
});
