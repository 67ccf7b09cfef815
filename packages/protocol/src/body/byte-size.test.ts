import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseByteSize } from "./byte-size.js";

describe("parseByteSize", () => {
  it.each([
    ["123", 123],
    ["0", 0],
    ["1B", 1],
    ["1kB", 1000],
    ["1KB", 1024],
    ["1KiB", 1024],
    ["1kib", 1024],
    ["1MB", 1_000_000],
    ["1mb", 1_000_000],
    ["1MiB", 1_048_576],
    ["100MiB", 104_857_600],
    ["1GB", 1e9],
    ["1GiB", 1024 ** 3],
    ["1TiB", 1024 ** 4],
    ["1.5kB", 1500],
    ["1.5KiB", 1536],
    ["0.1B", 0],
    [" 2 GiB ", 2 * 1024 ** 3],
  ])("reads %j as %d", (input, bytes) => {
    expect(parseByteSize(input)).toEqual({ ok: true, value: bytes });
  });

  it.each(["", "MiB", "1 parsec", "-1kB", "1e3", "1,5kB", "1constructor", "1toString", "1__proto__", "1K", "99999999999TiB"])("refuses %j", (input) => {
    expect(parseByteSize(input)).toMatchObject({ ok: false, error: { code: "invalid_size" } });
  });

  it("never throws, and reads every whole number of bytes back", () => {
    fc.assert(fc.property(fc.string(), (input) => typeof parseByteSize(input).ok === "boolean"));
    fc.assert(fc.property(fc.nat(), (n) => {
      const result = parseByteSize(String(n));
      return result.ok && result.value === n;
    }));
  });
});
