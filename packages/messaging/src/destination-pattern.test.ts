import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchDestination } from "./destination-pattern.js";

describe("matchDestination", () => {
  it.each([
    ["abcde", "*", true],
    ["abcde", "ab*", true],
    ["abcde", "*cde", true],
    ["abcde", "ab*de", true],
    ["abcde", "ab*cde", true],
    ["abcde", "aX*", false],
    ["aXcde", "ab*de", false],
    ["a", "a*a", true],
    ["net.opaque.backends.us.relayer", "net.opaque.backends.us.relayer", true],
    ["net.opaque.backends.us.relayer", "net.opaque.*.*.relayer", true],
    ["net.opaque.backends.us.relayer", "net.opaque.**", true],
    ["net.opaque.backends.us.relayer", "net.opaque.*", false],
    ["net.opaque.backends.us.relayer", "net.opaque.backends", false],
    ["net.opaque.backends.us.relayer", "net.opaque.**.us.relayer", false],
    ["net.opaque.us", "net.opaque.**", true],
    ["a.b", "a.b.**", false],
    ["a.b", "**", true],
    ["a*b", "*", false],
    ["Site", "site", false],
    ["b", "bbbbbbbbb*", false],
    ["b", "*bbbbbbbbb", false],
    ["site.b.host1", "site.b*.host1", true],
    ["x", "a*b*c", false],
    ["a*c", "a*b*c", false],
    ["ab*c", "a*b*c", false],
  ])("%s against %s is %s", (name, pattern, expected) => {
    expect(matchDestination(name, pattern)).toBe(expected);
  });

  it("never throws on arbitrary names and patterns", () => {
    const segmenty = fc.array(fc.oneof(fc.constantFrom(".", "*", "**", "a", "b"), fc.string({ maxLength: 4 })), { maxLength: 10 }).map((p) => p.join(""));
    fc.assert(fc.property(segmenty, segmenty, (name, pattern) => typeof matchDestination(name, pattern) === "boolean"));
    fc.assert(fc.property(fc.string(), fc.string(), (name, pattern) => typeof matchDestination(name, pattern) === "boolean"));
  });

  it("matches every name with itself and with **", () => {
    const name = fc.array(fc.stringMatching(/^[a-z0-9]{1,5}$/), { minLength: 1, maxLength: 5 }).map((s) => s.join("."));
    fc.assert(fc.property(name, (n) => matchDestination(n, n) && matchDestination(n, "**")));
  });
});
