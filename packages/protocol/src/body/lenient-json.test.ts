import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonLenient, parseJsonObject, repairNonFiniteNumbers } from "./lenient-json.js";

describe("repairNonFiniteNumbers", () => {
  it.each([
    ['{"a": NaN}', '{"a": null}'],
    ["[Infinity,-Infinity,NaN]", "[null,null,null]"],
    ['{"NaN": "NaN", "s": "Infinity \\" -Infinity", "v": -Infinity}', '{"NaN": "NaN", "s": "Infinity \\" -Infinity", "v": null}'],
    ['{"s":"\\\\", "n": NaN}', '{"s":"\\\\", "n": null}'],
    ['{"a":1}', '{"a":1}'],
    ["NaN", "null"],
  ])("repairs %j", (input, output) => {
    expect(repairNonFiniteNumbers(input)).toBe(output);
  });
});

describe("parseJsonLenient", () => {
  it("repairs Python's NaN and Infinity outside strings only", () => {
    expect(parseJsonLenient('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity \\" NaN"}')).toEqual({
      ok: true,
      value: { a: null, b: [null, null], c: 'NaN Infinity " NaN' },
    });
  });

  it("reads bytes as UTF-8, replacing invalid sequences rather than failing", () => {
    const result = parseJsonLenient(Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    expect(result).toEqual({ ok: true, value: { "\uFFFD": 1 } });
  });

  it.each(["{", "", "nan", "{'a': 1}", "[1,]", "NaNa"])("reports %j as invalid JSON", (input) => {
    const result = parseJsonLenient(input);
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_json", status: 400 } });
  });

  it("never changes valid JSON and never throws", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseJsonLenient(JSON.stringify(value));
        return result.ok && JSON.stringify(result.value) === JSON.stringify(value);
      }),
    );
    fc.assert(fc.property(fc.string(), (input) => typeof parseJsonLenient(input).ok === "boolean"));
  });
});

describe("parseJsonObject", () => {
  it("takes objects and refuses other JSON values", () => {
    expect(parseJsonObject('{"a":NaN}')).toEqual({ ok: true, value: { a: null } });
    for (const input of ["[]", "1", '"x"', "null"]) expect(parseJsonObject(input)).toMatchObject({ ok: false, error: { code: "not_an_object" } });
  });
});
