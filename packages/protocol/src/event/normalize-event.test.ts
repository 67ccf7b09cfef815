import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backfillSecurityReport } from "../security/security-report.js";
import { normalizeEvent, parseTimestamp } from "./normalize-event.js";
import { parseDevice, parseOs, parseUserAgent } from "./user-agent.js";

const RECEIVED = Date.UTC(2026, 10, 22, 12, 0, 0);
const options = { receivedAt: RECEIVED, generateId: () => "a".repeat(32), generateTraceId: () => "b".repeat(32) };
const GENERATED_TRACE = { trace_id: "b".repeat(32), span_id: "b".repeat(16), status: "unknown", type: "trace" };
const TRACE_REMARKS = { trace: { trace_id: { "": { rem: [["trace_id.missing", "s"]] } }, span_id: { "": { rem: [["span_id.missing", "s"]] } } } };

function normalized(input: unknown): Record<string, unknown> {
  const result = normalizeEvent(input, options);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("normalizeEvent", () => {
  it("fills the defaults of an empty event, a made-up trace context included", () => {
    expect(normalized({})).toEqual({
      event_id: "a".repeat(32),
      timestamp: RECEIVED / 1000,
      received: RECEIVED / 1000,
      level: "error",
      platform: "other",
      type: "default",
      logger: "",
      contexts: { trace: GENERATED_TRACE },
      _meta: { contexts: TRACE_REMARKS },
    });
  });

  it.each([
    ["fc6d8c0c43fc4630ad850ee518f1b9d0", "fc6d8c0c43fc4630ad850ee518f1b9d0"],
    ["FC6D8C0C-43FC-4630-AD85-0EE518F1B9D0", "fc6d8c0c43fc4630ad850ee518f1b9d0"],
    ["00000000-0000-0000-0000-000000000000", "0".repeat(32)],
  ])("accepts event id %s", (id, expected) => {
    expect(normalized({ event_id: id }).event_id).toBe(expected);
  });

  it("replaces an invalid event id without a note, as the envelope's id replaces it in Relay", () => {
    const event = normalized({ event_id: "nope" });
    expect(event.event_id).toBe("a".repeat(32));
    expect(event._meta).toEqual({ contexts: TRACE_REMARKS });
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
    [RECEIVED / 1000 + 61, "future_timestamp", "2026-11-22T12:01:01+00:00"],
    [RECEIVED / 1000 - 31 * 24 * 3600, "past_timestamp", "2026-10-22T12:00:00+00:00"],
  ])("resets timestamp %j to the time received (%s), noting both times", (timestamp, kind, sdkTime) => {
    const event = normalized({ timestamp });
    expect(event.timestamp).toBe(RECEIVED / 1000);
    expect((event._meta as Record<string, unknown>).timestamp).toEqual({ "": { err: [[kind, { sdk_time: sdkTime, server_time: "2026-11-22T12:00:00+00:00" }]] } });
  });

  it.each([
    ["yesterday", "input contains invalid characters"],
    ["2026-11-22", "premature end of input"],
    ["2026-11-22T11:59:00Zjunk", "trailing input"],
    ["2026-13-22T11:59:00", "input is out of range"],
    ["1795348740", "input contains invalid characters"],
  ])("replaces the unreadable timestamp %j with the time received", (timestamp, reason) => {
    const event = normalized({ timestamp });
    expect(event.timestamp).toBe(RECEIVED / 1000);
    expect((event._meta as Record<string, unknown>).timestamp).toEqual({ "": { err: [["invalid_data", { reason }]], val: timestamp } });
  });

  it.each([
    ["warning", "warning"],
    ["warn", "warning"],
    ["log", "info"],
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
    expect(event._meta).toMatchObject({ level: { "": { err: [["invalid_data", { reason: "invalid level" }]], val: "loud" } }, platform: { "": { val: "cobol" } } });
  });

  it.each(["WARNING", "Warn", "Error"])("refuses level %j (names are lower case)", (level) => {
    const event = normalized({ level });
    expect(event.level).toBe("error");
    expect(event._meta).toMatchObject({ level: { "": { err: [["invalid_data", { reason: "invalid level" }]], val: level } } });
  });

  it("renames old interface names and folds alternative shapes", () => {
    const event = normalized({
      message: "SyntaxError: Wattttt!",
      "sentry.interfaces.Exception": { type: "SyntaxError", value: "Wattttt!", module: "__builtins__" },
      "sentry.interfaces.Http": { url: "http://example.com" },
      "sentry.interfaces.User": { id: "1" },
      tags: { ios_version: "4.0" },
      modules: { "my.module.name": "1.0" },
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
      breadcrumbs: { values: [{ message: "clicked", type: "default", level: "info" }] },
    });
    expect(event).not.toHaveProperty("message");
    // Relay writes `project` from its own configuration, never the client's.
    expect(event).not.toHaveProperty("project");
    expect(normalizeEvent({ project: 7 }, { ...options, projectId: 42, keyId: "17", protocolVersion: "7" })).toMatchObject({ value: { project: 42, key_id: "17", version: "7" } });
    expect(Object.keys(event).some((key) => key.startsWith("sentry.interfaces."))).toBe(false);
  });

  it("keeps the first of repeated tag keys, as Relay does", () => {
    expect(normalized({ tags: [["foo", "bar"], ["foo", "baz"]] }).tags).toEqual([["foo", "bar"]]);
  });

  it("refuses modules given as a list of pairs: Relay reads only a map", () => {
    const event = normalized({ modules: [["my.module.name", "1.0"]] });
    expect(event.modules).toBeNull();
    expect(event._meta).toMatchObject({ modules: { "": { err: [["invalid_data", { reason: "expected an object" }]], val: [["my.module.name", "1.0"]] } } });
  });

  it("gives each context its key as type when it has none, as Relay's schema reads contexts", () => {
    const contexts = normalized({ contexts: { os: { name: "Linux" }, my_context: { a: 1 }, typed: { type: "runtime", name: "node" } } }).contexts;
    expect(contexts).toMatchObject({ os: { name: "Linux", type: "os" }, my_context: { a: 1, type: "my_context" }, typed: { type: "runtime", name: "node" } });
  });

  it("trims oversized values unless told not to", () => {
    const input = { culprit: "x".repeat(300), extra: { blob: "y".repeat(20_000) } };
    expect(normalized(input)).toMatchObject({ culprit: `${"x".repeat(197)}...`, extra: { blob: `${"y".repeat(16_381)}...` } });
    const untrimmed = normalizeEvent(input, { ...options, trim: false });
    expect(untrimmed.ok && untrimmed.value).toMatchObject(input);
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
    const modules = normalized({ modules: JSON.parse('{"__proto__":"1.0","constructor":"2.0"}') as unknown }).modules;
    expect(JSON.stringify(modules)).toBe('{"__proto__":"1.0","constructor":"2.0"}');
  });
});

describe("deeply nested invalid values", () => {
  it("are removed without keeping the original in _meta", () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const event = normalized({ extra: deep });
    expect(event.extra).toBeNull();
    expect((event._meta as Record<string, unknown>).extra).toEqual({ "": { err: [["invalid_data", { reason: "expected an object" }]] } });
    expect(() => JSON.stringify(event)).not.toThrow();
  });
});

describe("normalizeEvent's IP inference (sdk.settings.infer_ip)", () => {
  const CLIENT = "203.0.113.5";
  const ipOf = (input: Record<string, unknown>, clientIp: string | null = CLIENT): unknown => {
    const result = normalizeEvent(input, clientIp === null ? options : { ...options, clientIp });
    if (!result.ok) throw result.error;
    return (result.value.user as { ip_address?: unknown } | undefined)?.ip_address;
  };
  const sdk = (inferIp: unknown) => ({ name: "sentry.javascript.browser", version: "11.12.0", settings: { infer_ip: inferIp } });

  it("auto: fills in a missing address on any platform, and resolves {{auto}}", () => {
    expect(ipOf({ platform: "node", sdk: sdk("auto") })).toBe(CLIENT);
    expect(ipOf({ platform: "node", sdk: sdk("auto"), user: { id: "42" } })).toBe(CLIENT);
    expect(ipOf({ sdk: sdk("auto"), user: { ip_address: "{{auto}}" } })).toBe(CLIENT);
    expect(ipOf({ sdk: sdk("auto"), request: { env: { REMOTE_ADDR: "198.51.100.1" } } })).toBe("198.51.100.1");
  });

  it("auto: keeps an address the SDK sent", () => {
    expect(ipOf({ sdk: sdk("auto"), user: { ip_address: "192.0.2.9" } })).toBe("192.0.2.9");
  });

  it("never: drops {{auto}} and infers nothing, not even for browser platforms", () => {
    expect(ipOf({ platform: "javascript", sdk: sdk("never"), user: { id: "42", ip_address: "{{auto}}" } })).toBeUndefined();
    expect(ipOf({ platform: "javascript", sdk: sdk("never") })).toBeUndefined();
    expect(ipOf({ sdk: sdk("never"), user: { ip_address: "192.0.2.9" } })).toBe("192.0.2.9");
  });

  it("an unknown setting counts as never; an absent one keeps the legacy rules", () => {
    expect(ipOf({ platform: "javascript", sdk: sdk("sometimes"), user: { ip_address: "{{auto}}" } })).toBeUndefined();
    expect(ipOf({ platform: "javascript", sdk: { name: "sentry.javascript.browser", version: "7.0.0" } })).toBe(CLIENT);
    expect(ipOf({ platform: "node", sdk: { name: "sentry.javascript.node", version: "7.0.0" } })).toBeUndefined();
    expect(ipOf({ platform: "node", sdk: sdk(null), user: { ip_address: "{{auto}}" } })).toBe(CLIENT);
  });

  it("without the client's address, {{auto}} stays for the next relay to resolve", () => {
    expect(ipOf({ sdk: sdk("auto"), user: { ip_address: "{{auto}}" } }, null)).toBe("{{auto}}");
  });
});

describe("normalizeEvent's contexts from the user agent", () => {
  const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) - (-)";
  const IOS = { name: "iOS", version: "12.1", type: "os" };

  it("puts the OS under `os` for JavaScript events, which have no server OS", () => {
    const event = normalized({ platform: "javascript", request: { headers: { "user-agent": IPHONE } } });
    expect((event.contexts as Record<string, unknown>).os).toEqual(IOS);
    expect((event.contexts as Record<string, unknown>).client_os).toBeUndefined();
  });

  it("keeps a JavaScript event's own `os` and adds no `client_os`", () => {
    const event = normalized({ platform: "javascript", contexts: { os: { name: "Linux" } }, request: { headers: [["User-Agent", IPHONE]] } });
    expect((event.contexts as Record<string, unknown>).os).toEqual({ name: "Linux", type: "os" });
    expect((event.contexts as Record<string, unknown>).client_os).toBeUndefined();
  });

  it("puts the OS under `client_os` for other platforms, beside the server's `os`", () => {
    const event = normalized({ platform: "node", contexts: { os: { name: "Linux" } }, request: { headers: [["User-Agent", IPHONE]] } });
    expect(event.contexts).toMatchObject({ os: { name: "Linux", type: "os" }, client_os: IOS, device: { family: "iPhone", brand: "Apple", model: "iPhone", type: "device" } });
  });

  it("counts a context under the key as taken, whatever its type", () => {
    const event = normalized({ contexts: { browser: { type: "app", name: "mine" } }, request: { headers: [["User-Agent", IPHONE]] } });
    expect((event.contexts as Record<string, unknown>).browser).toEqual({ type: "app", name: "mine" });
  });

  it("takes the last of repeated headers, and none when the last has no value", () => {
    const twice = normalized({ request: { headers: [["SEC-CH-UA-Model", "first"], ["sec-ch-ua-model", "second"]] } });
    expect((twice.contexts as Record<string, unknown>).device).toEqual({ model: "second", type: "device" });
    const cleared = normalized({ request: { headers: [["SEC-CH-UA-Model", "first"], ["sec-ch-ua-model", null]] } });
    expect((cleared.contexts as Record<string, unknown>).device).toBeUndefined();
  });

  it("reads a security report's user agent and client hints, added as headers before", () => {
    const report: Record<string, unknown> = { csp: { effective_directive: "script-src", blocked_uri: "https://evil.example" } };
    backfillSecurityReport(report, {
      userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:109.0) Gecko/20100101 Firefox/109.0",
      clientHints: { platform: "macOS", platformVersion: "13.2.0", ua: '"Chromium";v="110", "Not A(Brand";v="24", "Google Chrome";v="110"', model: "some model" },
    });
    expect(normalized(report).contexts).toMatchObject({
      browser: { name: "Google Chrome", version: "110", type: "browser" },
      device: { model: "some model", type: "device" },
      client_os: { name: "macOS", version: "13.2.0", type: "os" },
    });
  });

  it("adds nothing without request headers", () => {
    expect(Object.keys(normalized({ request: { url: "https://example.com/" } }).contexts as object)).toEqual(["trace"]);
  });

  it("trims a context made from a long User-Agent like any other", () => {
    const event = normalized({ request: { headers: [["User-Agent", `Mozilla/5.0 (Linux; Android 11; ${"x".repeat(300)}) AppleWebKit/537.36 Chrome/109.0.0.0 Mobile Safari/537.36`]] } });
    expect(typeof (event.contexts as { device?: { family?: unknown } }).device?.family).toBe("string");
  });
});

describe("parseUserAgent, parseOs and parseDevice", () => {
  it("name what ua-parser's rules name, with every version part", () => {
    expect(parseUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0")).toEqual({ family: "Firefox", major: "115", minor: "0", patch: undefined });
    expect(parseOs("Mozilla/5.0 (Windows NT 6.3; Win64; x64)")).toEqual({ family: "Windows", major: "8", minor: "1", patch: undefined, patchMinor: undefined });
    expect(parseOs("BlackBerry9700/5.0.0.351 Profile/MIDP-2.1")).toEqual({ family: "BlackBerry OS", major: "5", minor: "0", patch: "0", patchMinor: "351" });
    expect(parseDevice("Mozilla/5.0 (Linux; Android 4.0.4; Galaxy Nexus Build/IMM76B)")).toEqual({ family: "Samsung Galaxy Nexus", brand: "Samsung", model: "Galaxy Nexus" });
  });

  it("call what no rule knows Other", () => {
    expect(parseUserAgent("a dont no")).toEqual({ family: "Other", major: undefined, minor: undefined, patch: undefined });
    expect(parseOs("a dont no").family).toBe("Other");
    expect(parseDevice("a dont no")).toEqual({ family: "Other", brand: undefined, model: undefined });
  });

  it("match case-insensitively where a rule asks for it", () => {
    expect(parseDevice("Mozilla/5.0 (Android; BingPreview)")).toEqual({ family: "Spider", brand: "Spider", model: "Smartphone" });
    expect(parseDevice("Mozilla/5.0 (android; bingpreview)")).toEqual({ family: "Spider", brand: "Spider", model: "Smartphone" });
  });

  it("never throw, and always name a family", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const parsed of [parseUserAgent(text), parseOs(text), parseDevice(text)]) expect(typeof parsed.family).toBe("string");
      }),
      { numRuns: 50 },
    );
  });
});
