import { describe, expect, it } from "vitest";
import { matchesSelector, parseSelector, type PathState, type Pii } from "./selector.js";
import { VT } from "./value-type.js";

const state = (key: string | number, types = 0): PathState =>
  typeof key === "number" ? { key: undefined, index: key, types } : { key: key.toLowerCase(), index: -1, types };

function matches(selector: string, path: readonly PathState[], pii: Pii = "true"): boolean {
  const parsed = parseSelector(selector);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return matchesSelector(parsed.value, pii, path);
}

const EXTRA_FOO = [state("extra", VT.object), state("foo", VT.string)];
const FRAME_VAR = [state("exception", VT.object), state("values", VT.array), state(0, VT.exception), state("stacktrace", VT.stacktrace), state("frames", VT.array), state(0, VT.frame), state("vars", VT.object), state("pw", VT.string)];
const HEADER = [state("request", VT.request), state("headers", VT.object), state("X-Custom", VT.string)];

describe("selectors", () => {
  it.each([
    "$string",
    "$binary",
    "$array",
    "$object.**",
    "extra.foo",
    "extra.'foo bar'",
    "extra.'it''s'",
    "$frame.vars",
    "$http.headers.x-custom",
    "$error.value",
    "$logentry.formatted",
    "$user.ip_address",
    "a.*.c",
    "a.**",
    "~extra.foo",
    "!extra.foo",
    "$string && ~extra.foo",
    "$string & !extra.foo",
    "extra.foo || extra.bar",
    "extra.foo | extra.bar",
    "($string || $number) && !(debug_meta.** || $frame.filename)",
    "freeform",
    "databag",
    "exception.values.0.value",
  ])("parses %s", (text) => {
    expect(parseSelector(text).ok).toBe(true);
  });

  it.each([
    ["", "expected a selector path item"],
    ["*", "wildcard must be part of a path"],
    ["a.**.b.**", "deep wildcard used more than once"],
    ["$nosuchtype", "unknown value type"],
    ["extra.'unterminated", "unterminated quoted key"],
    ["a..b", "expected a selector path item"],
    ["(a || b", "expected ')'"],
    ["a b", "unexpected character"],
  ])("refuses %j: %s", (text, message) => {
    const parsed = parseSelector(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.error.message).toContain(message);
  });

  it.each([
    ["$string", EXTRA_FOO, true],
    ["$number", EXTRA_FOO, false],
    ["extra.foo", EXTRA_FOO, true],
    ["EXTRA.FOO", EXTRA_FOO, true],
    ["foo", EXTRA_FOO, true],
    ["other.foo", EXTRA_FOO, false],
    ["extra.*", EXTRA_FOO, true],
    ["*.foo", EXTRA_FOO, true],
    ["**", EXTRA_FOO, true],
    ["**", [state("extra", VT.object)], false],
    ["extra.**", EXTRA_FOO, true],
    ["$object.**", EXTRA_FOO, true],
    ["~extra.foo", EXTRA_FOO, false],
    ["$string && !extra.foo", EXTRA_FOO, false],
    ["extra.bar || extra.foo", EXTRA_FOO, true],
    ["$frame.vars", FRAME_VAR.slice(0, 7), true],
    ["$frame.vars.pw", FRAME_VAR, true],
    ["$frame.vars.**", FRAME_VAR, true],
    ["$error.**", FRAME_VAR, true],
    ["exception.**.pw", FRAME_VAR, true],
    ["$http.headers.x-custom", HEADER, true],
    ["$http.headers.'X-Custom'", HEADER, true],
    ["$http.headers.other", HEADER, false],
    ["exception.values.0.stacktrace", FRAME_VAR.slice(0, 4), true],
    ["exception.values.1.stacktrace", FRAME_VAR.slice(0, 4), false],
  ] as const)("%s on %j is %s", (selector, path, expected) => {
    expect(matches(selector, path)).toBe(expected);
  });

  it("reaches pii=maybe fields only by specific paths, never by value types or **", () => {
    const tag = [state("tags", VT.object), state("server", VT.string)];
    expect(matches("$string", tag, "maybe")).toBe(false);
    expect(matches("**", [state("a"), ...tag], "maybe")).toBe(false);
    expect(matches("tags.server", tag, "maybe")).toBe(true);
    expect(matches("tags.*", tag, "maybe")).toBe(true);
    expect(matches("$frame.filename", [state(0, VT.frame), state("filename", VT.string)], "maybe")).toBe(true);
    expect(matches("tags.server", tag, "false")).toBe(false);
  });
});
