import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEvent, parseTimestamp } from "./normalize-event.js";

const RECEIVED = Date.UTC(2026, 10, 22, 12, 0, 0);
const options = { receivedAt: RECEIVED, generateId: () => "a".repeat(32) };

function normalized(input: unknown): Record<string, unknown> {
  const result = normalizeEvent(input, options);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("normalizeEvent", () => {
  it("fills the defaults of an empty event", () => {
    expect(normalized({})).toEqual({
      event_id: "a".repeat(32),
      timestamp: RECEIVED / 1000,
      received: RECEIVED / 1000,
      level: "error",
      platform: "other",
    });
  });

  it.each([
    ["fc6d8c0c43fc4630ad850ee518f1b9d0", "fc6d8c0c43fc4630ad850ee518f1b9d0"],
    ["FC6D8C0C-43FC-4630-AD85-0EE518F1B9D0", "fc6d8c0c43fc4630ad850ee518f1b9d0"],
    ["00000000-0000-0000-0000-000000000000", "0".repeat(32)],
  ])("accepts event id %s", (id, expected) => {
    expect(normalized({ event_id: id }).event_id).toBe(expected);
  });

  it("replaces an invalid event id and records the original in _meta", () => {
    const event = normalized({ event_id: "nope" });
    expect(event.event_id).toBe("a".repeat(32));
    expect(event._meta).toEqual({ event_id: { "": { err: ["invalid_data"], val: "nope" } } });
  });

  it.each([
    ["2026-11-22T11:59:00", RECEIVED / 1000 - 60],
    ["2026-11-22T11:59:00Z", RECEIVED / 1000 - 60],
    ["2026-11-22T12:59:00+01:00", RECEIVED / 1000 - 60],
    ["2026-11-22T11:59:00.5", RECEIVED / 1000 - 59.5],
    [RECEIVED / 1000 - 60, RECEIVED / 1000 - 60],
  ])("reads timestamp %j", (timestamp, seconds) => {
    expect(normalized({ timestamp }).timestamp).toBe(seconds);
  });

  it.each([
    [RECEIVED / 1000 + 61, "future_timestamp"],
    [RECEIVED / 1000 - 31 * 24 * 3600, "past_timestamp"],
    ["yesterday", "invalid_data"],
  ])("resets timestamp %j to the time received (%s)", (timestamp, reason) => {
    const event = normalized({ timestamp });
    expect(event.timestamp).toBe(RECEIVED / 1000);
    expect(event._meta).toEqual({ timestamp: { "": { err: [reason], val: timestamp } } });
  });

  it.each([
    ["warn", "warning"],
    ["WARNING", "warning"],
    [50, "fatal"],
    [40, "error"],
    [30, "warning"],
    [20, "info"],
    [10, "debug"],
    ["critical", "fatal"],
  ])("maps level %j to %s", (level, expected) => {
    expect(normalized({ level }).level).toBe(expected);
  });

  it("replaces an unknown level and platform", () => {
    const event = normalized({ level: "loud", platform: "cobol" });
    expect(event).toMatchObject({ level: "error", platform: "other" });
    expect(Object.keys(event._meta as object).sort()).toEqual(["level", "platform"]);
  });

  it("renames old interface names and folds alternative shapes", () => {
    const event = normalized({
      message: "SyntaxError: Wattttt!",
      "sentry.interfaces.Exception": { type: "SyntaxError", value: "Wattttt!", module: "__builtins__" },
      "sentry.interfaces.Http": { url: "http://example.com" },
      "sentry.interfaces.User": { id: "1" },
      tags: { ios_version: "4.0" },
      modules: [["my.module.name", "1.0"]],
      breadcrumbs: [{ message: "clicked" }],
      project: 42,
    });
    expect(event).toMatchObject({
      logentry: { formatted: "SyntaxError: Wattttt!" },
      exception: { values: [{ type: "SyntaxError", value: "Wattttt!", module: "__builtins__" }] },
      request: { url: "http://example.com/" },
      user: { id: "1" },
      tags: [["ios_version", "4.0"]],
      modules: { "my.module.name": "1.0" },
      breadcrumbs: { values: [{ message: "clicked" }] },
      project: 42,
    });
    expect(Object.keys(event).some((key) => key.startsWith("sentry.interfaces."))).toBe(false);
  });

  it("keeps repeated keys of tags given as pairs", () => {
    expect(normalized({ tags: [["foo", "bar"], ["foo", "baz"]] }).tags).toEqual([["foo", "bar"], ["foo", "baz"]]);
  });

  it("accepts exception lists and {values}", () => {
    expect(normalized({ exception: [{ type: "A" }, { type: "B" }] }).exception).toEqual({ values: [{ type: "A" }, { type: "B" }] });
    expect(normalized({ exception: { values: [{ type: "A" }] } }).exception).toEqual({ values: [{ type: "A" }] });
  });

  it("refuses what is not an object", () => {
    for (const input of [null, [], "event", 1]) expect(normalizeEvent(input, options).ok).toBe(false);
  });

  it("never throws and always yields the canonical invariants", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (input) => {
        const result = normalizeEvent(input, options);
        if (!result.ok) return true;
        const event = result.value;
        return /^[0-9a-f]{32}$/.test(event.event_id) && typeof event.timestamp === "number" && typeof event.level === "string" && typeof event.platform === "string";
      }),
    );
  });

  it("is idempotent", () => {
    const field = fc.record({
      event_id: fc.oneof(fc.uuid(), fc.string()),
      level: fc.oneof(fc.constantFrom("warn", "info", 30, "x"), fc.string()),
      timestamp: fc.oneof(fc.double(), fc.string(), fc.constant("2026-11-22T11:00:00")),
      tags: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.array(fc.tuple(fc.string(), fc.string()))),
      exception: fc.oneof(fc.record({ type: fc.string() }), fc.array(fc.record({ type: fc.string() }))),
      message: fc.string(),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(field, (input) => {
        const once = normalizeEvent(input, options);
        if (!once.ok) return false;
        const twice = normalizeEvent(once.value, options);
        return twice.ok && JSON.stringify(twice.value) === JSON.stringify(once.value);
      }),
    );
  });
});

describe("parseTimestamp", () => {
  it("never throws", () => {
    fc.assert(fc.property(fc.anything(), (value) => parseTimestamp(value) === undefined || typeof parseTimestamp(value) === "number"));
  });
});

describe("inherited property names", () => {
  it("are not levels", () => {
    for (const level of ["__proto__", "constructor", "toString"]) {
      expect(normalized({ level }).level).toBe("error");
    }
  });
});

describe("modules named like Object.prototype's", () => {
  it("are kept as own entries", () => {
    const modules = normalized({ modules: [["__proto__", "1.0"], ["constructor", "2.0"]] }).modules;
    expect(JSON.stringify(modules)).toBe('{"__proto__":"1.0","constructor":"2.0"}');
  });
});

describe("deeply nested invalid values", () => {
  it("are removed without keeping the original in _meta", () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const event = normalized({ extra: deep });
    expect(event.extra).toBeUndefined();
    expect(event._meta).toEqual({ extra: { "": { err: ["invalid_data"] } } });
    expect(() => JSON.stringify(event)).not.toThrow();
  });
});
