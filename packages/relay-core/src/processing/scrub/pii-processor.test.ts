import { describe, expect, it } from "vitest";
import { compilePiiConfig } from "./pii-config.js";
import { compileScrubbing } from "./scrub-plan.js";
import { scrubAttachment, scrubItemPayload } from "./scrub-item.js";
import { scrubText, scrubWith } from "./test-support.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("piiConfig applications (Relay's processor tests)", () => {
  it("removes pairs by key pattern and replaces IPs, but reaches tags only by explicit paths", () => {
    const config = {
      rules: { remove_bad_headers: { type: "redact_pair", keyPattern: "(?i)cookie|secret[-_]?key" } },
      applications: { $string: ["@ip"], "$object.**": ["remove_bad_headers"] },
    };
    const event = {
      logentry: { formatted: "Hello world!" },
      request: { env: { SECRET_KEY: "134141231231231231231312" }, headers: [["Cookie", "super secret"], ["X-Forwarded-For", "127.0.0.1"]] },
      tags: [["forwarded_for", "127.0.0.1"]],
    };
    expect(scrubWith(event, config)).toEqual({
      logentry: { formatted: "Hello world!" },
      request: { env: { SECRET_KEY: null }, headers: [["Cookie", null], ["X-Forwarded-For", "[ip]"]] },
      tags: [["forwarded_for", "127.0.0.1"]],
      _meta: {
        request: {
          env: { SECRET_KEY: { "": { rem: [["remove_bad_headers", "x"]] } } },
          headers: { "0": { "1": { "": { rem: [["remove_bad_headers", "x"]] } } }, "1": { "1": { "": { rem: [["@ip", "s", 0, 4]], len: 9 } } } },
        },
      },
    });
  });

  it("removes a container matched by @anything, whatever its redaction", () => {
    expect(scrubWith({ extra: { foo: "bar" } }, { applications: { $object: ["@anything"] } })).toEqual({ extra: null, _meta: { extra: { "": { rem: [["@anything", "x"]] } } } });
    expect(scrubWith({ extra: { foo: "bar" } }, { applications: { $object: ["@anything:hash"] } })).toEqual({ extra: null, _meta: { extra: { "": { rem: [["@anything:hash", "x"]] } } } });
  });

  it("applies a custom pattern with its replacement text", () => {
    const config = { applications: { $string: ["myrule"] }, rules: { myrule: { type: "pattern", pattern: "foo", redaction: { method: "replace", text: "asd" } } } };
    expect(scrubWith({ extra: { myvalue: "foobar" } }, config)).toEqual({ extra: { myvalue: "asdbar" }, _meta: { extra: { myvalue: { "": { rem: [["myrule", "s", 0, 3]], len: 6 } } } } });
  });

  it("replaces only the groups a pattern names", () => {
    const rules = { g: { type: "pattern", pattern: "(?i)key=(\\w+)", replaceGroups: [1], redaction: { method: "mask" } } };
    expect(scrubText("KEY=abc; key=de", ["g"], rules)).toEqual({ value: "KEY=***; key=**", remarks: [["g", "m", 4, 7], ["g", "m", 13, 15]] });
  });

  it("removes every field ** reaches, top-level ones included, and never upserts missing ones", () => {
    expect(scrubWith({ extra: { myvalue: "foobar" }, release: "1.0" }, { applications: { "**": ["@anything:remove"] } })).toEqual({
      extra: null,
      release: "1.0",
      _meta: { extra: { "": { rem: [["@anything:remove", "x"]] } } },
    });
  });

  it("reaches debug_meta by explicit paths, scrubbing an image path's directory and keeping its file name", () => {
    const event = { debug_meta: { images: [{ code_file: "C:\\Windows\\System32\\ntdll.dll", debug_file: "wntdll.pdb", arch: "arm64" }] } };
    expect(scrubWith(event, { applications: { "debug_meta.images.*.code_file": ["@anything:remove"], "debug_meta.images.*.debug_file": ["@anything:replace"] } })).toMatchObject({
      debug_meta: { images: [{ code_file: "ntdll.dll", debug_file: "wntdll.pdb", arch: "arm64" }] },
    });
    expect(scrubWith(event, { applications: { "$string": ["@anything:remove"] } })).toEqual(event);
  });

  it.each([
    ["$frame.vars", { exception: { values: [{ stacktrace: { frames: [{ vars: { a: "x" }, function: "f" }] } }] } }, { exception: { values: [{ stacktrace: { frames: [{ vars: null, function: "f" }] } }] } }],
    ["$http.headers.x-api", { request: { headers: [["X-Api", "abc"], ["Accept", "x"]] } }, { request: { headers: [["X-Api", null], ["Accept", "x"]] } }],
    ["$error.value", { exception: { values: [{ type: "E", value: "boom" }] } }, { exception: { values: [{ type: "E", value: null }] } }],
    ["$logentry.formatted", { logentry: { formatted: "hi", message: "hi" } }, { logentry: { formatted: null, message: "hi" } }],
    ["$user.ip_address", { user: { ip_address: "1.2.3.4", id: "7" } }, { user: { ip_address: null, id: "7" } }],
    ["extra.foo", { extra: { foo: "a", bar: "b" } }, { extra: { foo: null, bar: "b" } }],
    ["extra.'a.b'", { extra: { "a.b": "x", a: { b: "y" } } }, { extra: { "a.b": null, a: { b: "y" } } }],
    ["extra.'it''s'", { extra: { "it's": "x" } }, { extra: { "it's": null } }],
    ["extra.*.c", { extra: { a: { c: "x" }, c: "y" } }, { extra: { a: { c: null }, c: "y" } }],
    ["$array", { extra: { list: [1, 2], n: 1 } }, { extra: { list: null, n: 1 } }],
    ["$number", { extra: { list: [1, "2"], n: 1 } }, { extra: { list: [null, "2"], n: null } }],
    ["extra.** && ~extra.keep", { extra: { keep: "k", drop: "d" } }, { extra: { keep: "k", drop: null } }],
    ["extra.a || extra.b", { extra: { a: "1", b: "2", c: "3" } }, { extra: { a: null, b: null, c: "3" } }],
    ["tags.server_name", { tags: { server_name: "web-1", other: "x" } }, { tags: { server_name: null, other: "x" } }],
    ["$span.description", { spans: [{ description: "SELECT 1", op: "db" }] }, { spans: [{ description: null, op: "db" }] }],
  ])("%s selects what it names", (selector, event, expected) => {
    expect(scrubWith(event, { applications: { [selector]: ["@anything:remove"] } })).toMatchObject(expected);
  });

  it("runs the rules of one selector in order of their ids, never matching redacted text again", () => {
    const rules = {
      b_rule: { type: "pattern", pattern: "secret", redaction: { method: "replace", text: "[B]" } },
      a_rule: { type: "pattern", pattern: "sec", redaction: { method: "replace", text: "[A]" } },
    };
    expect(scrubText("my secret", ["b_rule", "a_rule"], rules)).toEqual({ value: "my [A]ret", remarks: [["a_rule", "s", 3, 6]] });
  });

  it("runs piiConfig before the rules converted from datascrubbingSettings", () => {
    const out = scrubWith({ extra: { note: "card 4571234567890111" } }, { applications: { $string: ["@creditcard:mask"] } }, { scrubData: true, scrubDefaults: true });
    expect(out).toMatchObject({ extra: { note: "card ****************" }, _meta: { extra: { note: { "": { rem: [["@creditcard:mask", "m", 5, 21]], len: 21 } } } } });
  });

  it("applies a multiple rule's own redaction and id only with hideInner", () => {
    const rules = {
      hidden: { type: "multiple", rules: ["@email", "@ip"], hideInner: true, redaction: { method: "replace", text: "[pii]" } },
      shown: { type: "multiple", rules: ["@email", "@ip"], redaction: { method: "replace", text: "[pii]" } },
      aliased: { type: "alias", rule: "@email:mask", hideInner: true },
    };
    expect(scrubText("a@b.com at 1.2.3.4", ["hidden"], rules)).toEqual({ value: "[pii] at [pii]", remarks: [["hidden", "s", 0, 5], ["hidden", "s", 9, 14]] });
    expect(scrubText("a@b.com at 1.2.3.4", ["shown"], rules)).toEqual({ value: "[email] at [ip]", remarks: [["@email", "s", 0, 7], ["@ip", "s", 11, 15]] });
    expect(scrubText("a@b.com", ["aliased"], rules)).toEqual({ value: "*******", remarks: [["aliased", "m", 0, 7]] });
  });

  it("removes the value, not just the match, when a key matches a remove rule; and the match only on values", () => {
    const rules = { pair: { type: "redact_pair", keyPattern: "^pin$", redaction: { method: "remove" } } };
    expect(scrubWith({ extra: { pin: "1234", other: "x" } }, { rules, applications: { $string: ["pair"] } })).toMatchObject({ extra: { pin: null, other: "x" } });
    expect(scrubText("pin: a@b.com", ["@email:remove"])).toEqual({ value: "pin: ", remarks: [["@email:remove", "x", 5, 5]] });
    expect(scrubText("a@b.com", ["@email:remove"])).toEqual({ value: "", remarks: [["@email:remove", "x", 0, 0]] });
  });

  it("moves an IP address made invalid into the user id, as Relay keeps users countable", () => {
    expect(scrubWith({ user: { ip_address: "127.0.0.1" } }, { applications: { "$user.ip_address": ["@ip:hash"] } })).toEqual({
      user: { id: "AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741" },
      _meta: { user: { id: { "": { rem: [["@ip:hash", "p", 0, 40]], len: 9 } } } },
    });
  });

  it("keeps the _meta the event already had", () => {
    const out = scrubWith({ extra: { a: "a@b.com" }, _meta: { extra: { b: { "": { err: ["invalid_data"] } } } } }, { applications: { $string: ["@email"] } });
    expect(out._meta).toEqual({ extra: { b: { "": { err: ["invalid_data"] } }, a: { "": { rem: [["@email", "s", 0, 7]], len: 7 } } } });
  });

  it("counts lengths and ranges in characters", () => {
    expect(scrubText("ünïcode a@b.com", ["@email"])).toEqual({ value: "ünïcode [email]", remarks: [["@email", "s", 8, 15]] });
  });
});

describe("invalid rules", () => {
  it("are reported by name and left out while the other rules apply", () => {
    const config = {
      rules: {
        bad_regex: { type: "pattern", pattern: "(unclosed" },
        bad_type: { type: "no_such_type" },
        good: { type: "pattern", pattern: "secret", redaction: { method: "replace", text: "[x]" } },
      },
      applications: { $string: ["bad_regex", "bad_type", "good", "missing_rule"], "$nosuchtype.foo": ["good"], "a..b": ["good"] },
    };
    const compiled = compilePiiConfig(config);
    expect(compiled.problems.map((problem) => problem.rule).sort()).toEqual(["$nosuchtype.foo", "a..b", "bad_regex", "bad_type", "missing_rule"]);
    expect(compiled.problems.find((problem) => problem.rule === "bad_regex")!.message).toContain("invalid pattern");
    expect(scrubWith({ extra: { a: "my secret" } }, config)).toMatchObject({ extra: { a: "my [x]" } });
  });

  it.each([null, 5, "x", [], { rules: 5, applications: [] }, { applications: { $string: "not a list" } }, { applications: { $string: [5] } }])("never break scrubbing: %j", (config) => {
    const out = scrubWith({ extra: { password: "hunter2" } }, config, { scrubData: true, scrubDefaults: true });
    expect(out).toMatchObject({ extra: { password: "[Filtered]" } });
  });
});

describe("every item type", () => {
  const plan = compileScrubbing({ piiConfig: { applications: { "$string": ["@email"], "$attachments.'log.txt'": ["@email:mask", "@ip:replace"] } } }, { scrubData: true, scrubDefaults: true }).plan;
  const scrubJson = (headers: Record<string, unknown>, body: unknown): unknown => {
    const result = scrubItemPayload({ type: String(headers.type), ...headers }, encoder.encode(JSON.stringify(body)), plan);
    if (!result.ok) throw new Error(result.error.message);
    return JSON.parse(decoder.decode(result.value));
  };

  it("scrubs logs: body by the replacing rules, attributes by name", () => {
    const out = scrubJson({ type: "log" }, { items: [{ level: "info", body: "login by a@b.com", attributes: { password: { type: "string", value: "hunter2" }, "sentry.release": { type: "string", value: "x@y.com" } } }] });
    expect(out).toMatchObject({ items: [{ body: "login by [email]", attributes: { password: { type: "string", value: "[Filtered]" }, "sentry.release": { type: "string", value: "x@y.com" } } }] });
  });

  it("scrubs v1 spans, v2 span containers, check-ins, replay events, user reports and feedback", () => {
    expect(scrubJson({ type: "span" }, { op: "http", description: "GET", data: { "http.query": "password=1", email: "a@b.com" } })).toMatchObject({ op: "http", data: { "http.query": "[Filtered]", email: "[email]" } });
    expect(scrubJson({ type: "span", content_type: "application/vnd.sentry.items.span.v2+json" }, { items: [{ name: "GET", attributes: { "user.email": { type: "string", value: "a@b.com" } } }] })).toMatchObject({ items: [{ attributes: { "user.email": { value: "[email]" } } }] });
    expect(scrubJson({ type: "check_in" }, { check_in_id: "abc", monitor_slug: "job", status: "ok", extra_field: "a@b.com" })).toMatchObject({ monitor_slug: "job", extra_field: "[email]" });
    expect(scrubJson({ type: "replay_event" }, { replay_id: "r", urls: ["https://x/?email=a@b.com"], user: { email: "a@b.com", ip_address: "1.2.3.4" } })).toMatchObject({ urls: ["https://[email]"], user: { email: "[email]" } });
    expect(scrubJson({ type: "user_report" }, { event_id: "e", name: "Jane", email: "a@b.com", comments: "my password is hunter2" })).toMatchObject({ email: "[email]", comments: "[Filtered]" });
    expect(scrubJson({ type: "feedback" }, { contexts: { feedback: { message: "reach me at a@b.com", contact_email: "a@b.com" } } })).toMatchObject({ contexts: { feedback: { message: "reach me at [email]", contact_email: "a@b.com" } } });
  });

  it("leaves client reports and sessions alone", () => {
    const body = encoder.encode('{"discarded_events":[{"reason":"a@b.com","category":"error","quantity":1}]}');
    const result = scrubItemPayload({ type: "client_report" }, body, plan);
    expect(result.ok && result.value).toBe(body);
  });

  it("refuses an item it cannot read, rather than pass it on unscrubbed", () => {
    expect(scrubItemPayload({ type: "log" }, encoder.encode("not json"), plan).ok).toBe(false);
    expect(scrubItemPayload({ type: "log" }, encoder.encode('{"no":"items"}'), plan).ok).toBe(false);
  });

  it("scrubs text attachments that $attachments selects, keeping their length", () => {
    const text = "user a@b.com from 10.0.0.1\n";
    const out = decoder.decode(scrubAttachment("log.txt", encoder.encode(text), plan));
    expect(out).toBe("user ******* from [ip]****\n");
    expect(out.length).toBe(text.length);
    expect(decoder.decode(scrubAttachment("other.txt", encoder.encode(text), plan))).toBe(text);
    const hashed = compileScrubbing({ piiConfig: { applications: { $binary: ["@email:hash"] } } }, {}).plan;
    expect(decoder.decode(scrubAttachment("x.bin", encoder.encode("to a@b.com."), hashed))).toBe("to 61B3201.");
  });
});

describe("the legacy top-level message", () => {
  it("is scrubbed as the logentry it mirrors: only the replacing rules, written back", () => {
    const out = scrubWith({ message: "password reset for a@b.com", logentry: { formatted: "password reset for a@b.com" } }, undefined, { scrubData: true, scrubDefaults: true });
    expect(out).toMatchObject({ message: "password reset for [email]", logentry: { formatted: "password reset for [email]" } });
    expect((out._meta as Record<string, unknown>).message).toEqual({ "": { rem: [["@email:replace", "s", 19, 26]], len: 26 } });
  });
});
