import { describe, expect, it } from "vitest";
import { convertScrubbingSettings } from "./convert-settings.js";
import { SPAN_V2_SCHEMA } from "./item-schema.js";
import { compilePiiConfig } from "./pii-config.js";
import { scrubValue } from "./pii-processor.js";
import { applyRegexToChunks, charCount, type Chunk, type ReplaceBehavior } from "./redaction.js";
import { formatSelector, matchesSelector, parseSelector, type Pii } from "./selector.js";
import { VT } from "./value-type.js";
import { scrubText, scrubWith } from "./test-support.js";
import { scrubEvent } from "./scrub-event.js";
import { compileScrubbing } from "./scrub-plan.js";
import { scrubAttachment, scrubItemPayload } from "./scrub-item.js";
import type { ScrubbingPolicy } from "./scrubbing-policy.js";

// Inputs and expected outputs of Sentry Relay's own tests (crate relay-pii), one vector per case,
// named after the Relay test it comes from. Outputs include `_meta` as Relay writes it.

type Json = Record<string, unknown>;

/** `_meta` of a value substituted over [start, end) with `len` the original length. */
const sub = (rule: string, [start, end]: readonly [number, number], len: number): Json => ({ "": { rem: [[rule, "s", start, end]], len } });
/** `_meta` of a value removed whole. */
const removed = (rule: string): Json => ({ "": { rem: [[rule, "x"]] } });
/** `_meta` of a whole value replaced with `[Filtered]`. */
const filtered = (len: number, rule = "@password:filter"): Json => sub(rule, [0, 10], len);

const ENABLED: ScrubbingPolicy = { scrubData: true, scrubDefaults: true, scrubIpAddresses: true };
const IP_ONLY: ScrubbingPolicy = { scrubData: false, scrubDefaults: false, scrubIpAddresses: true };

function scrub(event: Json, settings: ScrubbingPolicy = ENABLED): Json {
  return scrubEvent(event, settings).event;
}

function scrubItem(headers: Record<string, string>, body: Json, settings: ScrubbingPolicy = ENABLED): Json {
  const plan = compileScrubbing({}, settings).plan;
  const result = scrubItemPayload({ type: headers.type!, ...headers }, new TextEncoder().encode(JSON.stringify(body)), plan);
  if (!result.ok) throw new Error(result.error.message);
  return JSON.parse(new TextDecoder().decode(result.value)) as Json;
}

// The `sensitive_vars()` of convert.rs: each key, its value, and whether the defaults filter it.
const SENSITIVE_VARS: readonly (readonly [key: string, value: string, scrubbed: boolean])[] = [
  ["foo", "bar", false],
  ["password", "hello", true],
  ["the_secret", "hello", true],
  ["a_password_here", "hello", true],
  ["api_key", "secret_key", true],
  ["apiKey", "secret_key", true],
  ["otp", "otp_code", true],
  ["two-factor", "otp_code", true],
  ["two_factor", "otp_code", true],
];
const sensitiveVars = (): Json => Object.fromEntries(SENSITIVE_VARS.map(([key, value]) => [key, value]));
const scrubbedVars = (): Json => Object.fromEntries(SENSITIVE_VARS.map(([key, value, hit]) => [key, hit ? "[Filtered]" : value]));
const scrubbedVarsMeta = (): Json => Object.fromEntries(SENSITIVE_VARS.filter(([, , hit]) => hit).map(([key, value]) => [key, filtered(value.length)]));
const sortedVars = (): (readonly [string, string, boolean])[] => [...SENSITIVE_VARS].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
/** The variables as Relay's pair lists hold them: sorted by key, with the scrubbed pairs' `_meta` by index. */
function scrubbedPairs(rename: (key: string) => string = (key) => key): { value: [string, string][]; meta: Json } {
  const pairs = sortedVars();
  return {
    value: pairs.map(([key, value, hit]) => [rename(key), hit ? "[Filtered]" : value]),
    meta: Object.fromEntries(pairs.flatMap(([, value, hit], i) => (hit ? [[String(i), { "1": filtered(value.length) }]] : []))),
  };
}
const headerName = (name: string): string => name.replace(/(^|-)([a-z])/g, (_match: string, dash: string, c: string) => dash + c.toUpperCase());

const SENSITIVE_COOKIES = ["sentrysid", "sudo", "su", "session", "__session", "sessionid", "user_session", "symfony", "phpsessid", "fasthttpsessionid", "mysession", "irissessionid", "_vercel_jwt", "csrf", "xsrf", "_xsrf", "_csrf", "csrf-token", "csrf_token", "xsrf-token", "xsrf_token", "fastcsrf", "_iris_csrf"];
const cookieValue = (name: string): string => (name === "xsrf-token" || name === "xsrf_token" ? `my  ${name}` : `my ${name}`);

const PUBLIC_KEY = `""-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA6A6TQjlPyMurLh/igZY4
izA9sJgeZ7s5+nGydO4AI9k33gcy2DObZuadWRMnDwc3uH/qoAPw/mo3KOcgEtxU
xdwiQeATa3HVPcQDCQiKm8xIG2Ny0oUbR0IFNvClvx7RWnPEMk05CuvsL0AA3eH5
xn02Yg0JTLgZEtUT3whwFm8CAwEAAQ==
-----END PUBLIC KEY-----""`;
const PRIVATE_KEY = `""-----BEGIN PRIVATE KEY-----
MIIJRAIBADANBgkqhkiG9w0BAQEFAASCCS4wggkqAgEAAoICAQCoNFY4P+EeIXl0
mLpO+i8uFqAaEFQ8ZX2VVpA13kNEHuiWXC3HPlQ+7G+O3XmAsO+Wf/xY6pCSeQ8h
mLpO+i8uFqAaEFQ8ZX2VVpA13kNEHuiWXC3HPlQ+7G+O3XmAsO+Wf/xY6pCSeQ8h
-----END PRIVATE KEY-----""`;
const ENCRYPTED_PRIVATE_KEY = `""-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIJjjBABgkqhkiG9w0BBQ0wMzAbBgkqhkiG9w0BBQwwDgQIWVhErdQOFVoCAggA
IrlYQUV1ig4U3viYh1Y8viVvRlANKICvgj4faYNH36UterkfDjzMonb/cXNeJEOS
YgorM2Pfuec5vtPRPKd88+Ds/ktIlZhjJwnJjHQMX+lSw5t0/juna2sLH2dpuAbi
PSk=
-----END ENCRYPTED PRIVATE KEY-----""`;
const RSA_PRIVATE_KEY = `""-----BEGIN RSA PRIVATE KEY-----
+wn9Iu+zgamKDUu22xc45F2gdwM04rTITlZgjAs6U1zcvOzGxk8mWJD5MqFWwAtF
zN87YGV0VMTG6ehxnkI4Fg6i0JPU3QIDAQABAoICAQCoCPjlYrODRU+vd2YeU/gM
THd+9FBxiHLGXNKhG/FRSyREXEt+NyYIf/0cyByc9tNksat794ddUqnLOg0vwSkv
-----END RSA PRIVATE KEY-----""`;

const DEFAULT_SELECTOR =
  "($string || $number || $array || $object) && !(debug_meta.** || $frame.filename || $frame.abs_path || $logentry.formatted || $error.value || $http.headers.user-agent)";
const KNOWN_IP_SELECTOR = "$http.env.REMOTE_ADDR || $user.ip_address || $sdk.client_ip || $span.sentry_tags.'user.ip' || attributes.'client.address'";
const GEN_AI_FIELDS = [
  "gen_ai.input.messages",
  "gen_ai.prompt",
  "gen_ai.request.messages",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.input",
  "gen_ai.tool.call.result",
  "gen_ai.tool.output",
  "gen_ai.output.messages",
  "gen_ai.response.tool_calls",
  "gen_ai.response.text",
  "gen_ai.response.object",
  "gen_ai.tool.definitions",
  "gen_ai.request.available_tools",
  "gen_ai.tool.name",
  "mcp.prompt.result",
  "mcp.tool.result.content",
];
const REPLACE_ONLY_SELECTOR = ["$logentry.formatted", "$log.body", ...GEN_AI_FIELDS.flatMap((field) => [`$span.data.'${field}'`, `attributes.'${field}'.value`])].join(" || ");
const COOKIE_SELECTOR = ["*.'http.request.header.cookie'", ...SENSITIVE_COOKIES.flatMap((name) => [`*.cookies.${name}`, `*.'http.request.header.cookie.${name}'`])].join(" || ");
const REPLACE_RULES = ["@email:replace", "@creditcard:replace", "@iban:replace", "@usssn:replace", "@bearer:replace"];

describe("relay-pii convert.rs", () => {
  it("test_datascrubbing_default", () => {
    expect(convertScrubbingSettings({})).toBeUndefined();
  });

  it.each<[string, ScrubbingPolicy, Json]>([
    [
      "test_convert_default_pii_config",
      ENABLED,
      {
        applications: {
          [DEFAULT_SELECTOR]: ["@common:filter", "@ip:replace"],
          [KNOWN_IP_SELECTOR]: ["@anything:remove"],
          [REPLACE_ONLY_SELECTOR]: REPLACE_RULES,
          [COOKIE_SELECTOR]: ["@anything:filter"],
        },
      },
    ],
    [
      "test_convert_empty_sensitive_field",
      { ...ENABLED, sensitiveFields: ["", " "] },
      {
        applications: {
          [DEFAULT_SELECTOR]: ["@common:filter", "@ip:replace"],
          [KNOWN_IP_SELECTOR]: ["@anything:remove"],
          [REPLACE_ONLY_SELECTOR]: REPLACE_RULES,
          [COOKIE_SELECTOR]: ["@anything:filter"],
        },
      },
    ],
    [
      "test_convert_sensitive_fields",
      { ...ENABLED, sensitiveFields: ["fieldy_field", "moar_other_field"] },
      {
        rules: { "strip-fields": { type: "redact_pair", keyPattern: "fieldy_field|moar_other_field", redaction: { method: "replace", text: "[Filtered]" } } },
        applications: {
          [DEFAULT_SELECTOR]: ["@common:filter", "@ip:replace", "strip-fields"],
          [KNOWN_IP_SELECTOR]: ["@anything:remove"],
          [REPLACE_ONLY_SELECTOR]: REPLACE_RULES,
          [COOKIE_SELECTOR]: ["@anything:filter"],
        },
      },
    ],
    [
      "test_convert_exclude_field",
      { ...ENABLED, excludeFields: ["foobar"] },
      {
        applications: {
          [`${DEFAULT_SELECTOR} && !foobar`]: ["@common:filter", "@ip:replace"],
          [KNOWN_IP_SELECTOR]: ["@anything:remove"],
          [REPLACE_ONLY_SELECTOR]: REPLACE_RULES,
          [COOKIE_SELECTOR]: ["@anything:filter"],
        },
      },
    ],
    [
      "test_convert_scrub_ip_only",
      IP_ONLY,
      { applications: { [DEFAULT_SELECTOR]: ["@ip:replace"], [KNOWN_IP_SELECTOR]: ["@anything:remove"] } },
    ],
    [
      "test_breadcrumb_message (config)",
      { ...ENABLED, sensitiveFields: ["session_key"] },
      {
        rules: { "strip-fields": { type: "redact_pair", keyPattern: "session_key", redaction: { method: "replace", text: "[Filtered]" } } },
        applications: {
          [DEFAULT_SELECTOR]: ["@common:filter", "@ip:replace", "strip-fields"],
          [KNOWN_IP_SELECTOR]: ["@anything:remove"],
          [REPLACE_ONLY_SELECTOR]: REPLACE_RULES,
          [COOKIE_SELECTOR]: ["@anything:filter"],
        },
      },
    ],
  ])("%s", (_name, settings, expected) => {
    expect(JSON.parse(JSON.stringify(convertScrubbingSettings(settings)))).toEqual(expected);
  });

  it("test_regression_more_odd_keys", () => {
    const config = convertScrubbingSettings({ ...ENABLED, sensitiveFields: [], excludeFields: ["url", "message", "http.request.url", "*url*", "*message*", "*http.request.url*"] })!;
    expect(Object.keys(config.applications)).toContain(`${DEFAULT_SELECTOR} && !url && !message && !http.request.url && !'*url*' && !'*message*' && !'*http.request.url*'`);
  });

  it("test_odd_keys (config): an exclusion that is not a selector names a key, quoted", () => {
    const config = convertScrubbingSettings({ ...ENABLED, excludeFields: ["do not ,./<>?!@#$%^&*())'ßtrip'", "2abc"] })!;
    expect(Object.keys(config.applications)).toContain(`${DEFAULT_SELECTOR} && !'do not ,./<>?!@#$%^&*())''ßtrip''' && !'2abc'`);
  });

  const varsCases: [string, Json, Json][] = [
    [
      "test_stacktrace",
      { stacktrace: { frames: [{ vars: sensitiveVars() }] } },
      { stacktrace: { frames: [{ vars: scrubbedVars() }] }, _meta: { stacktrace: { frames: { "0": { vars: scrubbedVarsMeta() } } } } },
    ],
    [
      "test_sanitize_http_body",
      { request: { data: { email: "zzzz@gmail.com", password: "zzzzz" } } },
      { request: { data: { email: "zzzz@gmail.com", password: "[Filtered]" } }, _meta: { request: { data: { password: filtered(5) } } } },
    ],
    ["test_does_not_fail_on_non_string", { extra: { foo: 1 } }, { extra: { foo: 1 } }],
  ];
  it.each(varsCases)("%s", (_name, input, expected) => {
    expect(scrub(input)).toEqual(expected);
  });

  it("test_http", () => {
    const headers = scrubbedPairs(headerName);
    const cookies = scrubbedPairs();
    const out = scrub({ request: { data: sensitiveVars(), env: sensitiveVars(), headers: sensitiveVars(), cookies: sensitiveVars() } });
    expect(out).toEqual({
      request: { data: scrubbedVars(), env: scrubbedVars(), headers: headers.value, cookies: cookies.value },
      _meta: { request: { data: scrubbedVarsMeta(), env: scrubbedVarsMeta(), headers: headers.meta, cookies: cookies.meta } },
    });
  });

  it("test_sensitive_cookies", () => {
    const jar = Object.fromEntries([...SENSITIVE_COOKIES.map((name) => [name, cookieValue(name)]), ["not_sensitive", "keep this"]]);
    const names = Object.keys(jar).sort();
    // Cookies whose names also hold `token` are filtered by the password rule first.
    const ruleFor = (name: string): string => (name.includes("token") ? "@password:filter" : "@anything:filter");
    const pairs = names.map((name) => [name, name === "not_sensitive" ? "keep this" : "[Filtered]"]);
    const meta = Object.fromEntries(names.flatMap((name, i) => (name === "not_sensitive" ? [] : [[String(i), { "1": filtered(cookieValue(name).length, ruleFor(name)) }]])));
    const out = scrub({ request: { cookies: jar }, contexts: { response: { cookies: jar } } });
    expect(out.request).toEqual({ cookies: pairs });
    expect((out.contexts as { response: Json }).response).toMatchObject({ cookies: pairs });
    expect(out._meta).toEqual({ request: { cookies: meta }, contexts: { response: { cookies: meta } } });
  });

  it("test_http_remote_addr_stripped", () => {
    expect(scrub({ request: { env: { REMOTE_ADDR: "127.0.0.1" } } })).toEqual({
      request: { env: { REMOTE_ADDR: null } },
      _meta: { request: { env: { REMOTE_ADDR: { "": { rem: [["@ip:replace", "s", 0, 4], ["@anything:remove", "x"]], len: 9 } } } } },
    });
  });

  it("test_user", () => {
    expect(scrub({ user: { username: "secret", ip_address: "73.133.27.120", data: sensitiveVars() } })).toEqual({
      user: { username: "[Filtered]", ip_address: null, data: scrubbedVars() },
      _meta: {
        user: {
          data: scrubbedVarsMeta(),
          ip_address: { "": { rem: [["@ip:replace", "s", 0, 4], ["@anything:remove", "x"]], len: 13 } },
          username: filtered(6),
        },
      },
    });
  });

  it("test_ip_stripped (the scrubbing part: IP-shaped values anywhere, known IP fields whole)", () => {
    const out = scrub(
      {
        user: { username: "73.133.27.120", data: sensitiveVars() },
        breadcrumbs: { values: [{ message: "73.133.27.120", data: { test_data: "73.133.27.120" } }] },
        spans: [{ sentry_tags: { "user.ip": "73.133.27.120" } }],
      },
      IP_ONLY,
    );
    const ipMeta = sub("@ip:replace", [0, 4], 13);
    expect(out).toEqual({
      user: { username: "[ip]", data: sensitiveVars() },
      breadcrumbs: { values: [{ message: "[ip]", data: { test_data: "[ip]" } }] },
      spans: [{ sentry_tags: { "user.ip": null } }],
      _meta: {
        user: { username: ipMeta },
        breadcrumbs: { values: { "0": { message: ipMeta, data: { test_data: ipMeta } } } },
        spans: { "0": { sentry_tags: { "user.ip": { "": { rem: [["@ip:replace", "s", 0, 4], ["@anything:remove", "x"]], len: 13 } } } } },
      },
    });
  });

  it("test_ip_stripped (addresses normalization rejected keep their originals in _meta)", () => {
    const invalid = (val: string): Json => ({ "": { err: [["invalid_data", { reason: "expected an ip address" }]], val } });
    const event = {
      user: { ip_address: null },
      sdk: { client_ip: null },
      _meta: { user: { ip_address: invalid("should be stripped despite lacking ip address") }, sdk: { client_ip: invalid("should also be stripped") } },
    };
    expect(scrub(event, IP_ONLY)).toEqual(event);
  });

  it("test_ip_stripped_spanv2", () => {
    const out = scrubItem(
      { type: "span", content_type: "application/vnd.sentry.items.span.v2+json" },
      { items: [{ attributes: { "user.name": { type: "string", value: "73.133.27.120" }, "client.address": { type: "string", value: "should be stripped despite lacking ip address" } } }] },
      IP_ONLY,
    );
    expect(out).toEqual({
      items: [
        {
          attributes: { "client.address": { type: "string", value: null }, "user.name": { type: "string", value: "[ip]" } },
          _meta: { attributes: { "client.address": { value: removed("@anything:remove") }, "user.name": { value: sub("@ip:replace", [0, 4], 13) } } },
        },
      ],
    });
  });

  it("test_extra", () => {
    const out = scrub({ extra: { foo: "bar", password: "hello", the_secret: "hello", a_password_here: "hello", api_key: "secret_key", apiKey: "secret_key", a_password_number: 42, a_password_array: [42, 43] } });
    expect(out).toEqual({
      extra: { foo: "bar", password: "[Filtered]", the_secret: "[Filtered]", a_password_here: "[Filtered]", api_key: "[Filtered]", apiKey: "[Filtered]", a_password_number: null, a_password_array: null },
      _meta: {
        extra: {
          password: filtered(5),
          the_secret: filtered(5),
          a_password_here: filtered(5),
          api_key: filtered(10),
          apiKey: filtered(10),
          a_password_number: removed("@password:filter"),
          a_password_array: removed("@password:filter"),
        },
      },
    });
  });

  it("test_contexts: only contexts Relay does not know are scrubbed by the defaults", () => {
    const known = ["device", "os", "runtime", "app", "browser", "gpu", "trace", "monitor"];
    const input: Json = { secret: sensitiveVars(), biz: sensitiveVars(), ...Object.fromEntries(known.map((name) => [name, sensitiveVars()])) };
    const out = scrub({ contexts: input });
    const contexts = out.contexts as Record<string, unknown>;
    expect(contexts.secret).toBeNull();
    expect(contexts.biz).toMatchObject(scrubbedVars());
    for (const name of known) expect(contexts[name], name).toMatchObject(sensitiveVars());
    expect(out._meta).toEqual({ contexts: { secret: removed("@password:filter"), biz: scrubbedVarsMeta() } });
  });

  const queryPairs = (values: readonly string[]): Json => ({
    request: {
      query_string: [
        ["foo", "bar"],
        ["password", values[0]],
        ["the_secret", values[1]],
        ["a_password_here", values[2]],
        ["api_key", values[3]],
      ],
    },
  });
  const queryMeta = { request: { query_string: { "1": { "1": filtered(5) }, "2": { "1": filtered(5) }, "3": { "1": filtered(5) }, "4": { "1": filtered(10) } } } };
  it.each<[string, Json]>([
    ["test_querystring_as_string", { request: { query_string: "foo=bar&password=hello&the_secret=hello&a_password_here=hello&api_key=secret_key" } }],
    ["test_querystring_as_pairlist", queryPairs(["hello", "hello", "hello", "secret_key"])],
  ])("%s", (_name, input) => {
    expect(scrub(input)).toEqual({ ...queryPairs(["[Filtered]", "[Filtered]", "[Filtered]", "[Filtered]"]), _meta: queryMeta });
  });

  it.each<[string, Json]>([
    ["test_querystring_as_string_with_partials", { request: { query_string: "foo=bar&password&baz=bar" } }],
    ["test_querystring_as_pairlist_with_partials", { request: { query_string: [["foo", "bar"], ["password", ""], ["baz", "bar"]] } }],
  ])("%s", (_name, input) => {
    expect(scrub(input)).toEqual({ request: { query_string: [["foo", "bar"], ["password", ""], ["baz", "bar"]] } });
  });

  it("test_sanitize_additional_sensitive_fields", () => {
    const out = scrub({ extra: { ...sensitiveVars(), fieldy_field: "value", moar_other_field: "another value" } }, { ...ENABLED, sensitiveFields: ["fieldy_field", "moar_other_field"] });
    expect(out).toEqual({
      extra: { ...scrubbedVars(), fieldy_field: "[Filtered]", moar_other_field: "[Filtered]" },
      _meta: { extra: { ...scrubbedVarsMeta(), fieldy_field: filtered(5, "strip-fields"), moar_other_field: filtered(13, "strip-fields") } },
    });
  });

  it.for<[string, string, string, Json | undefined]>([
    ["test_sanitize_credit_card", "4571234567890111", "[Filtered]", filtered(16, "@creditcard:filter")],
    ["test_sanitize_credit_card_amex", "378282246310005", "[Filtered]", filtered(15, "@creditcard:filter")],
    ["test_sanitize_credit_card_discover", "6011111111111117", "[Filtered]", filtered(16, "@creditcard:filter")],
    ["test_sanitize_credit_card_visa", "4111111111111111", "[Filtered]", filtered(16, "@creditcard:filter")],
    ["test_sanitize_credit_card_mastercard", "5555555555554444", "[Filtered]", filtered(16, "@creditcard:filter")],
    ["test_sanitize_credit_card_within_value_1", "'4571234567890111'", "'[Filtered]'", sub("@creditcard:filter", [1, 11], 18)],
    ["test_sanitize_credit_card_within_value_2", "foo 4571234567890111", "foo [Filtered]", sub("@creditcard:filter", [4, 14], 20)],
    ["test_does_not_sanitize_timestamp_looks_like_card", "1453843029218310", "1453843029218310", undefined],
    ["test_sanitize_url_1", "pg://matt:pass@localhost/1", "pg://matt:[Filtered]@localhost/1", sub("@urlauth:legacy", [10, 20], 26)],
    ["test_sanitize_url_2", "foo 'redis://redis:foo@localhost:6379/0' bar", "foo 'redis://redis:[Filtered]@localhost:6379/0' bar", sub("@urlauth:legacy", [19, 29], 44)],
    ["test_sanitize_url_3", "'redis://redis:foo@localhost:6379/0'", "'redis://redis:[Filtered]@localhost:6379/0'", sub("@urlauth:legacy", [15, 25], 36)],
    ["test_sanitize_url_4", "foo redis://redis:foo@localhost:6379/0 bar", "foo redis://redis:[Filtered]@localhost:6379/0 bar", sub("@urlauth:legacy", [18, 28], 42)],
    [
      "test_sanitize_url_5",
      "foo redis://redis:foo@localhost:6379/0 bar pg://matt:foo@localhost/1",
      "foo redis://redis:[Filtered]@localhost:6379/0 bar pg://matt:[Filtered]@localhost/1",
      { "": { rem: [["@urlauth:legacy", "s", 18, 28], ["@urlauth:legacy", "s", 60, 70]], len: 68 } },
    ],
    ["test_sanitize_url_6", "postgres:///path", "postgres:///path", undefined],
    [
      "test_sanitize_url_7",
      '{"a":"https://localhost","b":"foo@localhost","c":"pg://matt:pass@localhost/1","d":"lol"}',
      '{"a":"https://localhost","b":"foo@localhost","c":"pg://matt:[Filtered]@localhost/1","d":"lol"}',
      sub("@urlauth:legacy", [60, 70], 88),
    ],
  ])("%s", ([, input, output, meta]) => {
    const out = scrub({ extra: { foo: input } });
    expect(out).toEqual(meta === undefined ? { extra: { foo: output } } : { extra: { foo: output }, _meta: { extra: { foo: meta } } });
  });

  it.for<[string, string, string, number, number]>([
    ["test_does_sanitize_public_key", PUBLIC_KEY, "PUBLIC KEY", 29, 283],
    ["test_does_sanitize_private_key", PRIVATE_KEY, "PRIVATE KEY", 30, 252],
    ["test_does_sanitize_encrypted_private_key", ENCRYPTED_PRIVATE_KEY, "ENCRYPTED PRIVATE KEY", 40, 277],
    ["test_does_sanitize_rsa_private_key", RSA_PRIVATE_KEY, "RSA PRIVATE KEY", 34, 260],
  ])("%s", ([, key, label, start, len]) => {
    expect(key.length).toBe(len);
    expect(scrub({ extra: { s: key } })).toEqual({
      extra: { s: `""-----BEGIN ${label}-----\n[Filtered]\n-----END ${label}-----""` },
      _meta: { extra: { s: sub("@pemkey:filter", [start, start + 10], len) } },
    });
  });

  it.for<[string, Json, ScrubbingPolicy, Json]>([
    ["test_does_sanitize_social_security_number", { extra: { s: "123-45-6789" } }, ENABLED, { extra: { s: "[Filtered]" }, _meta: { extra: { s: filtered(11, "@usssn:filter") } } }],
    ["test_exclude_fields_on_field_name", { extra: { password: "123-45-6789" } }, ENABLED, { extra: { password: "[Filtered]" }, _meta: { extra: { password: filtered(11) } } }],
    ["test_explicit_fields", { extra: { mystuff: "xxx" } }, { ...ENABLED, sensitiveFields: ["mystuff"] }, { extra: { mystuff: "[Filtered]" }, _meta: { extra: { mystuff: filtered(3, "strip-fields") } } }],
    ["test_explicit_fields_case_insensitive", { extra: { MYSTUFF: "xxx" } }, { ...ENABLED, sensitiveFields: ["myStuff"] }, { extra: { MYSTUFF: "[Filtered]" }, _meta: { extra: { MYSTUFF: filtered(3, "strip-fields") } } }],
    ["test_exclude_fields_on_field_value", { extra: { foobar: "123-45-6789" } }, { ...ENABLED, excludeFields: ["foobar"] }, { extra: { foobar: "123-45-6789" } }],
    ["test_empty_field", { extra: { foobar: "xxx" } }, { ...ENABLED, sensitiveFields: ["", " "], excludeFields: ["", " "] }, { extra: { foobar: "xxx" } }],
    ["test_should_have_mysql_pwd_as_a_default_1", { extra: { MYSQL_PWD: "the one" } }, { ...ENABLED, sensitiveFields: [""] }, { extra: { MYSQL_PWD: "[Filtered]" }, _meta: { extra: { MYSQL_PWD: filtered(7) } } }],
    ["test_should_have_mysql_pwd_as_a_default_2", { extra: { mysql_pwd: "the one" } }, { ...ENABLED, sensitiveFields: [""] }, { extra: { mysql_pwd: "[Filtered]" }, _meta: { extra: { mysql_pwd: filtered(7) } } }],
    [
      "test_authorization_scrubbing",
      { extra: { authorization: "foobar", auth: "foobar", auXth: "foobar" } },
      { ...ENABLED, sensitiveFields: [""] },
      { extra: { authorization: "[Filtered]", auth: "[Filtered]", auXth: "foobar" }, _meta: { extra: { authorization: filtered(6), auth: filtered(6) } } },
    ],
    [
      "test_api_key_header_scrubbing",
      { extra: { "x-api-key": "sk-ant-secret-value", "api-key": "secret-value", api_key: "secret-value", apikey: "secret-value", "X-Api-Key": "secret-value" } },
      { ...ENABLED, sensitiveFields: [""] },
      {
        extra: { "x-api-key": "[Filtered]", "api-key": "[Filtered]", api_key: "[Filtered]", apikey: "[Filtered]", "X-Api-Key": "[Filtered]" },
        _meta: { extra: { "x-api-key": filtered(19), "api-key": filtered(12), api_key: filtered(12), apikey: filtered(12), "X-Api-Key": filtered(12) } },
      },
    ],
    [
      "test_doesnt_scrub_not_scrubbed",
      { extra: { test1: { is_authenticated: "foobar" }, test2: { is_authenticated: "null" }, test3: { is_authenticated: true } } },
      { ...ENABLED, sensitiveFields: [""] },
      { extra: { test1: { is_authenticated: "[Filtered]" }, test2: { is_authenticated: "null" }, test3: { is_authenticated: true } }, _meta: { extra: { test1: { is_authenticated: filtered(6) } } } },
    ],
    [
      "test_csp_blocked_uri",
      { csp: { blocked_uri: "https://example.com/?foo=4571234567890111&bar=baz" } },
      ENABLED,
      { csp: { blocked_uri: "https://example.com/?foo=[Filtered]&bar=baz" }, _meta: { csp: { blocked_uri: sub("@creditcard:filter", [25, 35], 49) } } },
    ],
    [
      "test_breadcrumb_message",
      { breadcrumbs: { values: [{ message: "SELECT session_key FROM django_session WHERE session_key = 'abcdefg'" }] } },
      { ...ENABLED, sensitiveFields: ["session_key"] },
      // The key pattern of a sensitive field is matched against values too.
      { breadcrumbs: { values: [{ message: "[Filtered]" }] }, _meta: { breadcrumbs: { values: { "0": { message: filtered(68, "strip-fields") } } } } },
    ],
    ["test_event_message_not_strippable", { logentry: { formatted: "hello world!" } }, { ...ENABLED, sensitiveFields: ["formatted"] }, { logentry: { formatted: "hello world!" } }],
    [
      "test_debug_meta_files_not_strippable",
      { debug_meta: { images: [{ type: "macho", code_file: "foo/bar.txt", debug_file: "foo/bar.txt" }] } },
      { ...ENABLED, sensitiveFields: ["debug_file", "code_file"] },
      { debug_meta: { images: [{ type: "macho", code_file: "foo/bar.txt", debug_file: "foo/bar.txt" }] } },
    ],
    [
      "test_stacktrace_paths_not_strippable",
      { stacktrace: { frames: [{ filename: "C:\\Windows\\BogusValue\\foo.txt", abs_path: "C:\\Windows\\BogusValue\\foo.txt" }] } },
      { ...ENABLED, sensitiveFields: ["filename", "abs_path"] },
      { stacktrace: { frames: [{ filename: "C:\\Windows\\BogusValue\\foo.txt", abs_path: "C:\\Windows\\BogusValue\\foo.txt" }] } },
    ],
    [
      "test_odd_keys",
      { extra: { "do not ,./<>?!@#$%^&*())'ßtrip'": "foo", "special ,./<>?!@#$%^&*())'gärbage'": "bar" } },
      { ...ENABLED, sensitiveFields: ["special ,./<>?!@#$%^&*())'gärbage'"], excludeFields: ["do not ,./<>?!@#$%^&*())'ßtrip'", "2abc"] },
      { extra: { "do not ,./<>?!@#$%^&*())'ßtrip'": "foo", "special ,./<>?!@#$%^&*())'gärbage'": "[Filtered]" }, _meta: { extra: { "special ,./<>?!@#$%^&*())'gärbage'": filtered(3, "strip-fields") } } },
    ],
    [
      "test_safe_fields_for_token",
      { extra: { password: "foo", github_token: "bar", access_token: "quz", stripetoken: "baz", "my-token": "secret", new_token: "hidden", "secret-token-here": "ops" } },
      { ...ENABLED, sensitiveFields: [], excludeFields: ["GITHUB_TOKEN", "access_token", "stripetoken"] },
      {
        extra: { password: "[Filtered]", github_token: "bar", access_token: "quz", stripetoken: "baz", "my-token": "[Filtered]", new_token: "[Filtered]", "secret-token-here": "[Filtered]" },
        _meta: { extra: { password: filtered(3), "my-token": filtered(6), new_token: filtered(6), "secret-token-here": filtered(3) } },
      },
    ],
    [
      "test_scrub_object",
      {
        request: {
          url: "https://www.example.com/fr/testing/authenticate",
          method: "POST",
          data: { password: "test", profile: { email: "testing@example.com", password: { $eq: "u{}{}{}]H[[[]]ww6KrA9F.x-F%%" } }, submit: "Se connecter" },
        },
      },
      ENABLED,
      {
        request: { url: "https://www.example.com/fr/testing/authenticate", method: "POST", data: { password: "[Filtered]", profile: { email: "testing@example.com", password: null }, submit: "Se connecter" } },
        _meta: { request: { data: { password: filtered(4), profile: { password: removed("@password:filter") } } } },
      },
    ],
    [
      "test_no_scrub_object_with_safe_fields",
      {
        request: {
          url: "https://www.example.com/fr/testing/authenticate",
          method: "POST",
          data: { password: "test", credentials: { email: "testing@example.com", password: "test" }, submit: "Se connecter" },
        },
      },
      { ...ENABLED, sensitiveFields: [], excludeFields: ["credentials"] },
      {
        request: { url: "https://www.example.com/fr/testing/authenticate", method: "POST", data: { password: "[Filtered]", credentials: { email: "testing@example.com", password: "[Filtered]" }, submit: "Se connecter" } },
        _meta: { request: { data: { password: filtered(4), credentials: { password: filtered(4) } } } },
      },
    ],
    [
      "test_exclude_expression",
      { extra: { do_not_scrub_1: "password", do_not_scrub_2: ["password"], "do_not_scrub.dot": ["password"] }, user: { id: "5355849125500546" } },
      { ...ENABLED, excludeFields: ["do_not_scrub_1", "do_not_scrub_2.**", "extra.'do_not_scrub.dot'.**", "$user.id"] },
      { extra: { do_not_scrub_1: "password", do_not_scrub_2: ["password"], "do_not_scrub.dot": ["password"] }, user: { id: "5355849125500546" } },
    ],
    [
      "test_safe_field_legacy_disables_all_string_parsing",
      { request: { data: { email: "foo@bar.de", password: "kkee", recaptcha: null } } },
      { scrubData: true, scrubDefaults: true, scrubIpAddresses: true, sensitiveFields: ["email", "password"], excludeFields: ["email"] },
      { request: { data: { email: "foo@bar.de", password: "[Filtered]", recaptcha: null } }, _meta: { request: { data: { password: filtered(4) } } } },
    ],
    [
      "test_replace_fields_applies_to_span_data",
      { spans: [{ data: { "gen_ai.prompt": "Buy me a drink with my creditcard 4111-1111-1111-1111" } }] },
      ENABLED,
      { spans: [{ data: { "gen_ai.prompt": "Buy me a drink with my creditcard [creditcard]" } }], _meta: { spans: { "0": { data: { "gen_ai.prompt": sub("@creditcard:replace", [34, 46], 53) } } } } },
    ],
    [
      "test_password_rule_only_full_match_fields",
      { extra: { "not-a-two-factor": "I am okay", not_a_two_factor: "I am okay", footpath: "I am okay", idiotproof: "I am okay" } },
      ENABLED,
      { extra: { "not-a-two-factor": "I am okay", not_a_two_factor: "I am okay", footpath: "I am okay", idiotproof: "I am okay" } },
    ],
  ])("%s", ([, input, settings, expected]) => {
    expect(scrub(input, settings)).toEqual(expected);
  });

  const frameHeaders = (headers: unknown): Json => ({ threads: { values: [{ stacktrace: { frames: [{ vars: { request: { headers } } }] } }] } });
  const frameHeadersMeta = (meta: Json): Json => ({ threads: { values: { "0": { stacktrace: { frames: { "0": { vars: { request: { headers: meta } } } } } } } } });
  it.for<[string, unknown, unknown, Json]>([
    [
      "test_bearer_tokens_scrubbed",
      [["AuthToken", "b'Bearer A1BBC234QWERTY0987MNBV012765HJKL'"]],
      [["AuthToken", "[Filtered]"]],
      { "0": { "1": filtered(42) } },
    ],
    [
      "test_pairlist_scrubbed_with_matching_keys",
      [["secret", "A1BBC234QWERTY0987MNBV012765HJKL"], ["passwd", "my_password"]],
      [["secret", "[Filtered]"], ["passwd", "[Filtered]"]],
      { "0": { "1": filtered(32) }, "1": { "1": filtered(11) } },
    ],
    [
      "test_pairlist_scrubbed_with_matching_values",
      [["some_random_value", "my_password"], ["some_random_value_2", "abc"]],
      [["some_random_value", "[Filtered]"], ["some_random_value_2", "abc"]],
      { "0": { "1": filtered(11) } },
    ],
  ])("%s", ([, headers, expected, meta]) => {
    expect(scrub(frameHeaders(headers))).toEqual({ ...frameHeaders(expected), _meta: frameHeadersMeta(meta) });
  });

  it("test_span_cookie", () => {
    const names = [...SENSITIVE_COOKIES.filter((name) => name !== "_vercel_jwt"), "dark-mode"];
    const data = (): Json => Object.fromEntries([["http.request.header.cookie", "session=foobar"], ...names.map((name): [string, string] => [`http.request.header.cookie.${name}`, "foobar"])]);
    const scrubbedData = Object.fromEntries([
      ["http.request.header.cookie", "[Filtered]"],
      ...names.map((name) => [`http.request.header.cookie.${name}`, name === "dark-mode" ? "foobar" : "[Filtered]"]),
    ]);
    const ruleFor = (name: string): string => (name.includes("token") ? "@password:filter" : "@anything:filter");
    const dataMeta = Object.fromEntries([
      ["http.request.header.cookie", filtered(14, "@anything:filter")],
      ...names.filter((name) => name !== "dark-mode").map((name) => [`http.request.header.cookie.${name}`, filtered(6, ruleFor(name))]),
    ]);
    const out = scrub({ contexts: { trace: { data: data(), type: "trace" } }, spans: [{ data: data() }] });
    expect(out).toEqual({
      contexts: { trace: { data: scrubbedData, type: "trace" } },
      spans: [{ data: scrubbedData }],
      _meta: { contexts: { trace: { data: dataMeta } }, spans: { "0": { data: dataMeta } } },
    });
  });

  it("test_span_v2_cookie", () => {
    const names = [...SENSITIVE_COOKIES, "dark-mode"];
    const attributes = Object.fromEntries([["http.request.header.cookie", { value: "session=foobar" }], ...names.map((name) => [`http.request.header.cookie.${name}`, { value: "foobar" }])]);
    const out = scrubItem({ type: "span", content_type: "application/vnd.sentry.items.span.v2+json" }, { items: [{ attributes }] });
    const span = (out.items as Json[])[0]!;
    const ruleFor = (name: string): string => (name.includes("token") ? "@password:filter" : "@anything:filter");
    expect(span.attributes).toEqual(
      Object.fromEntries([
        ["http.request.header.cookie", { value: "[Filtered]" }],
        ...names.map((name) => [`http.request.header.cookie.${name}`, { value: name === "dark-mode" ? "foobar" : "[Filtered]" }]),
      ]),
    );
    expect(span._meta).toEqual({
      attributes: Object.fromEntries([
        ["http.request.header.cookie", { value: filtered(14, "@anything:filter") }],
        ...names.filter((name) => name !== "dark-mode").map((name) => [`http.request.header.cookie.${name}`, { value: filtered(6, ruleFor(name)) }]),
      ]),
    });
  });

  it("test_replace_fields_applies_to_attributes (attributes as objects)", () => {
    // Relay's test runs the converted rules with attributes as objects, as advanced rules see them.
    const { applications } = compilePiiConfig(convertScrubbingSettings(ENABLED), { caseInsensitiveKeys: true });
    const span: Json = {
      attributes: {
        "gen_ai.prompt": { value: "Buy me a drink with my creditcard 4111-1111-1111-1111" },
        "mcp.prompt.result": { value: "Contact me at user@example.com or use card 4111-1111-1111-1111" },
        "mcp.tool.result.content": { value: "My email is test@domain.com and I accept payments" },
      },
    };
    scrubValue(span, { applications: applications.map((app) => ({ ...app, legacy: false })) }, { schema: SPAN_V2_SCHEMA, rootState: true });
    expect(span).toEqual({
      attributes: {
        "gen_ai.prompt": { value: "Buy me a drink with my creditcard [creditcard]" },
        "mcp.prompt.result": { value: "Contact me at [email] or use card [Filtered]" },
        "mcp.tool.result.content": { value: "My email is [email] and I accept payments" },
      },
      _meta: {
        attributes: {
          "gen_ai.prompt": { value: sub("@creditcard:replace", [34, 46], 53) },
          "mcp.prompt.result": { value: { "": { rem: [["@email:replace", "s", 14, 21], ["@creditcard:filter", "s", 34, 44]], len: 62 } } },
          "mcp.tool.result.content": { value: sub("@email:replace", [12, 19], 49) },
        },
      },
    });
  });
});

const PEM_INPUT = `This is a comment I left on my key

            -----BEGIN EC PRIVATE KEY-----
MIHbAgEBBEFbLvIaAaez3q0u6BQYMHZ28B7iSdMPPaODUMGkdorl3ShgTbYmzqGL
fojr3jkJIxFS07AoLQpsawOFZipxSQHieaAHBgUrgQQAI6GBiQOBhgAEAdaBHsBo
KBuPVQL2F6z57Xb034TRlpaarne/XGWaCsohtl3YYcFll3A7rV+wHudcKFSvrgjp
soH5cUhpnhOL9ujuAM7Ldk1G+11Mf7EZ5sjrLe81fSB8S16D2vjtxkf/+mmwwhlM
HdmUCGvfKiF2CodxyLon1XkK8pX+Ap86MbJhluqK
-----END EC PRIVATE KEY-----`;
const pemOutput = (body: string): string => `This is a comment I left on my key

            -----BEGIN EC PRIVATE KEY-----
${body}
-----END EC PRIVATE KEY-----`;
const HOME_INPUT = `make
            export PATH=$PATH:$HOME/collectd_exporter
            log
            log
            log
            `;
const HOME_OUTPUT = `make
            export PATH=$PATH:$HOME/[user]
            log
            log
            log
            `;

type RuleCase = readonly [test: string, rule: string, input: string, output: string, remark: readonly [type: string, start: number, end: number]];

// `assert_text_rule!`: the built-in rule applied to `$string`, its remark named after the rule.
const BUILTIN_TEXT_CASES: readonly RuleCase[] = [
  ["test_ipv4", "@ip", "before 127.0.0.1 after", "before [ip] after", ["s", 7, 11]],
  ["test_ipv4", "@ip:replace", "before 127.0.0.1 after", "before [ip] after", ["s", 7, 11]],
  ["test_ipv4", "@ip:hash", "before 127.0.0.1 after", "before AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741 after", ["p", 7, 47]],
  ["test_ipv6", "@ip", "before ::1 after", "before [ip] after", ["s", 7, 11]],
  ["test_ipv6", "@ip:replace", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]", "[[ip]]", ["s", 1, 5]],
  ["test_ipv6", "@ip:hash", "before 2001:0db8:85a3:0000:0000:8a2e:0370:7334 after", "before 8C3DC9BEED9ADE493670547E24E4E45EDE69FF03 after", ["p", 7, 47]],
  ["test_imei", "@imei", "before 356938035643809 after", "before [imei] after", ["s", 7, 13]],
  ["test_imei", "@imei:replace", "before 356938035643809 after", "before [imei] after", ["s", 7, 13]],
  ["test_imei", "@imei:hash", "before 356938035643809 after", "before 3888108AA99417402969D0B47A2CA4ECD2A1AAD3 after", ["p", 7, 47]],
  ["test_mac", "@mac", "ether 4a:00:04:10:9b:50", "ether *****************", ["m", 6, 23]],
  ["test_mac", "@mac:mask", "ether 4a:00:04:10:9b:50", "ether *****************", ["m", 6, 23]],
  ["test_mac", "@mac:replace", "ether 4a:00:04:10:9b:50", "ether [mac]", ["s", 6, 11]],
  ["test_mac", "@mac:hash", "ether 4a:00:04:10:9b:50", "ether 6220F3EE59BF56B32C98323D7DE43286AAF1F8F1", ["p", 6, 46]],
  ["test_uuid", "@uuid", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id ************************************", ["m", 8, 44]],
  ["test_uuid", "@uuid:mask", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id ************************************", ["m", 8, 44]],
  ["test_uuid", "@uuid:hash", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id EBFA4DBDAA4A619F10B6DE2ABB630DE0122F5CDB", ["p", 8, 48]],
  ["test_uuid", "@uuid:replace", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id [uuid]", ["s", 8, 14]],
  ["test_email", "@email", "John Appleseed <john@appleseed.com>", "John Appleseed <[email]>", ["s", 16, 23]],
  ["test_email", "@email:replace", "John Appleseed <john@appleseed.com>", "John Appleseed <[email]>", ["s", 16, 23]],
  ["test_email", "@email:mask", "John Appleseed <john@appleseed.com>", "John Appleseed <******************>", ["m", 16, 34]],
  ["test_email", "@email:hash", "John Appleseed <john@appleseed.com>", "John Appleseed <33835528AC0FFF1B46D167C35FEAAA6F08FD3F46>", ["p", 16, 56]],
  ["test_iban_different_rules", "@iban", "some iban: DE89370400440532013000!", "some iban: [iban]!", ["s", 11, 17]],
  ["test_iban_different_rules", "@iban:mask", "some iban: DE89370400440532013000!", "some iban: **********************!", ["m", 11, 33]],
  ["test_iban_different_rules", "@iban:replace", "some iban: DE89370400440532013000!", "some iban: [iban]!", ["s", 11, 17]],
  ["test_iban_different_rules", "@iban:hash", "some iban: DE89370400440532013000!", "some iban: 8A1248B6F40D38FBC59ADE6AD0DF69C7BB9C936A!", ["p", 11, 51]],
  ["test_iban_scrubbing_word_boundaries", "@iban", "some iban: NO9386011117945!", "some iban: [iban]!", ["s", 11, 17]],
  ["test_invalid_iban_codes", "@iban", "some iban: RU0204452560040702810412345678901!", "some iban: [iban]!", ["s", 11, 17]],
  ["test_creditcard", "@creditcard", "John Appleseed 4571234567890111!", "John Appleseed [creditcard]!", ["s", 15, 27]],
  ["test_creditcard", "@creditcard", "John Appleseed 4571 2345 6789 0111!", "John Appleseed [creditcard]!", ["s", 15, 27]],
  ["test_creditcard", "@creditcard:mask", "John Appleseed 4571234567890111!", "John Appleseed ****************!", ["m", 15, 31]],
  ["test_creditcard", "@creditcard:replace", "John Appleseed 4571234567890111!", "John Appleseed [creditcard]!", ["s", 15, 27]],
  ["test_creditcard", "@creditcard:hash", "John Appleseed 4571234567890111!", "John Appleseed 68C796A9ED3FB51BF850A11140FCADD8E2D88466!", ["p", 15, 55]],
  ["test_pemkey", "@pemkey", PEM_INPUT, pemOutput("[pemkey]"), ["s", 79, 87]],
  ["test_pemkey", "@pemkey:hash", PEM_INPUT, pemOutput("291134FEC77C62B11E2DC6D89910BB43157294BC"), ["p", 79, 119]],
  ["test_urlauth", "@urlauth", "https://username:password@example.com/", "https://[auth]@example.com/", ["s", 8, 14]],
  ["test_urlauth", "@urlauth:replace", "https://username:password@example.com/", "https://[auth]@example.com/", ["s", 8, 14]],
  ["test_urlauth", "@urlauth:hash", "https://username:password@example.com/", "https://2F82AB8A5E3FAD655B5F81E3BEA30D2A14FEF2AC@example.com/", ["p", 8, 48]],
  ["test_usssn", "@usssn", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is ***********", ["m", 27, 38]],
  ["test_usssn", "@usssn:mask", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is ***********", ["m", 27, 38]],
  ["test_usssn", "@usssn:replace", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is [us-ssn]", ["s", 27, 35]],
  ["test_usssn", "@usssn:hash", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is 01328BB9C55B35F354FBC7B60CADAC789DC2035C", ["p", 27, 67]],
  ["test_userpath", "@userpath", "C:\\Users\\mitsuhiko\\Desktop", "C:\\Users\\[user]\\Desktop", ["s", 9, 15]],
  ["test_userpath", "@userpath", HOME_INPUT, HOME_OUTPUT, ["s", 41, 47]],
  ["test_userpath", "@userpath:replace", "File in /Users/mitsuhiko/Development/sentry-stripping", "File in /Users/[user]/Development/sentry-stripping", ["s", 15, 21]],
  ["test_userpath", "@userpath:replace", "C:\\Windows\\Profiles\\Armin\\Temp", "C:\\Windows\\Profiles\\[user]\\Temp", ["s", 20, 26]],
  ["test_userpath", "@userpath:hash", "File in /Users/mitsuhiko/Development/sentry-stripping", "File in /Users/A8791A1A8D11583E0200CC1B9AB971B4D78B8A69/Development/sentry-stripping", ["p", 15, 55]],
];

// `assert_custom_rulespec!`: a custom rule `0` of the same type and redaction (replace uses `[Filtered]`).
const BUILTIN_CUSTOM_CASES: readonly RuleCase[] = [
  ["test_ipv4", "@ip:replace", "before 127.0.0.1 after", "before [Filtered] after", ["s", 7, 17]],
  ["test_ipv4", "@ip:hash", "before 127.0.0.1 after", "before AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741 after", ["p", 7, 47]],
  ["test_ipv6", "@ip:replace", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]", "[[Filtered]]", ["s", 1, 11]],
  ["test_ipv6", "@ip:hash", "before 2001:0db8:85a3:0000:0000:8a2e:0370:7334 after", "before 8C3DC9BEED9ADE493670547E24E4E45EDE69FF03 after", ["p", 7, 47]],
  ["test_imei", "@imei:replace", "before 356938035643809 after", "before [Filtered] after", ["s", 7, 17]],
  ["test_imei", "@imei:hash", "before 356938035643809 after", "before 3888108AA99417402969D0B47A2CA4ECD2A1AAD3 after", ["p", 7, 47]],
  ["test_mac", "@mac:mask", "ether 4a:00:04:10:9b:50", "ether *****************", ["m", 6, 23]],
  ["test_mac", "@mac:replace", "ether 4a:00:04:10:9b:50", "ether [Filtered]", ["s", 6, 16]],
  ["test_mac", "@mac:hash", "ether 4a:00:04:10:9b:50", "ether 6220F3EE59BF56B32C98323D7DE43286AAF1F8F1", ["p", 6, 46]],
  ["test_uuid", "@uuid:mask", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id ************************************", ["m", 8, 44]],
  ["test_uuid", "@uuid:hash", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id EBFA4DBDAA4A619F10B6DE2ABB630DE0122F5CDB", ["p", 8, 48]],
  ["test_uuid", "@uuid:replace", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id [Filtered]", ["s", 8, 18]],
  ["test_email", "@email:replace", "John Appleseed <john@appleseed.com>", "John Appleseed <[Filtered]>", ["s", 16, 26]],
  ["test_email", "@email:mask", "John Appleseed <john@appleseed.com>", "John Appleseed <******************>", ["m", 16, 34]],
  ["test_email", "@email:hash", "John Appleseed <john@appleseed.com>", "John Appleseed <33835528AC0FFF1B46D167C35FEAAA6F08FD3F46>", ["p", 16, 56]],
  ["test_iban_different_rules", "@iban:mask", "some iban: DE89370400440532013000!", "some iban: **********************!", ["m", 11, 33]],
  ["test_iban_different_rules", "@iban:replace", "some iban: DE89370400440532013000!", "some iban: [Filtered]!", ["s", 11, 21]],
  ["test_iban_different_rules", "@iban:hash", "some iban: DE89370400440532013000!", "some iban: 8A1248B6F40D38FBC59ADE6AD0DF69C7BB9C936A!", ["p", 11, 51]],
  ["test_creditcard", "@creditcard:mask", "John Appleseed 4571234567890111!", "John Appleseed ****************!", ["m", 15, 31]],
  ["test_creditcard", "@creditcard:replace", "John Appleseed 4571234567890111!", "John Appleseed [Filtered]!", ["s", 15, 25]],
  ["test_creditcard", "@creditcard:hash", "John Appleseed 4571234567890111!", "John Appleseed 68C796A9ED3FB51BF850A11140FCADD8E2D88466!", ["p", 15, 55]],
];

const VALID_IBANS = [
  "AD5878942710639732891555", "AE843009416531083386439", "AL57203331634841980876917055", "AT894962316580861740", "AZ20NABZ32222583861167817527", "BA899087481698693720",
  "BE02622338508282", "BG74BNBG62683163859900", "BH94BMAG81742510166411", "BR6012720184945313263694220C2", "BY42NBRB5423804338230Z59AB39", "CH9094408966251267229",
  "CR66628293047983395760", "CY07828977709558493944217267", "CZ3250044769520155043487", "DE33286483480880127754", "DK0104500396509359", "DO00BAGR96761901498775724456",
  "EE270648064710638158", "EG690300132939956610501715864", "ES1855993856250575846003", "FI1536654201409964", "FO7570156750217051", "FR1014777374033381713M74535",
  "GB24NWBK56308374074647", "GE73NB0994186171721443", "GI49NWBK125988332328154", "GL9054108607699188", "GR5565802405556734747216550", "GT99TRAJ50683085639204647556",
  "HR6800577821254763445", "HU40379712415496584277966835", "IE81AIBK65375754273298", "IL273293887744694290805", "IQ81NBIQ089246287424886", "IS781608418318734844854556",
  "IT53X5801219709784172710195", "JO61CBJO9436591471899095231319", "KW43CBKU4883997798760620316108", "KZ51056KZT0837966427", "LB33882243832059959713929005",
  "LC66HEMM254988987389111701748958", "LI29737657519298857AA", "LT274687648772993442", "LU366704963860370207", "LV56BANK7310410483037", "LY14487832647995492999076",
  "MC6264639373071228615685245", "MD21AG907990943540501824", "ME03582335388820811523", "MK23858890780702871", "MR9327063831155222861023437", "MT51MALT379454641617MTLCAST058S",
  "MU03BOMM4322185029224038400MUR", "NL96ABNA5744731632", "NO9058068238671", "PK25SCBL8656172440308193", "PL12349940962957508091419645", "PS76PALS166923702872903852485",
  "PT14459770251588993280123", "QA18DOHB89519772639156ABCDEFG", "RO17AAAA6B92357725591367", "RS15219225977278176022", "SA5110364369768070892889",
  "SC23SSCB28695826925340049496USD", "SE1264086862739970624960", "SI02570384665487060", "SK8246443378900295468504", "SM58U9584120480537549943122",
  "SV18CENR54739364351768235550", "TL666057100094711717888", "TN9055668722925051026777", "TR685596983808399006011173", "UA660626845659376320141789664",
  "VA02458628330591922762", "VG84VPVG5177475162070855", "XK074179726503194891",
];

describe("relay-pii builtin.rs", () => {
  it.for(BUILTIN_TEXT_CASES)("%s: %s turns %j into %j", ([, rule, input, output, [type, start, end]]) => {
    expect(scrubText(input, [rule])).toEqual({ value: output, remarks: [[rule, type, start, end]] });
  });

  it.for(BUILTIN_CUSTOM_CASES)("%s: a custom rule like %s turns %j into %j", ([, rule, input, output, [type, start, end]]) => {
    const [ty, method] = rule.slice(1).split(":");
    expect(scrubText(input, ["0"], { "0": { type: ty, redaction: { method } } })).toEqual({ value: output, remarks: [["0", type, start, end]] });
  });

  it.for<[string, string, string]>([
    ["test_ipv6", "@ip", "foo::1"],
    ["test_iban_scrubbing_word_boundaries", "@iban", "fooNO9386011117945bar"],
    ["test_invalid_iban_codes", "@iban", "some iban: NO938601111794!"],
    ["test_invalid_iban_codes", "@iban", "some iban: RU02044525600407028104123456789010!"],
    ["test_invalid_iban_codes", "@iban", "some iban: N19386011117945!"],
  ])("%s: %s leaves %j alone", ([, rule, input]) => {
    expect(scrubText(input, [rule])).toEqual({ value: input, remarks: [] });
  });

  it.for(VALID_IBANS)("test_valid_iban_codes: %s", (iban) => {
    expect(scrubText(`some iban: ${iban}!`, ["@iban"])).toEqual({ value: "some iban: [iban]!", remarks: [["@iban", "s", 11, 17]] });
  });

  it("test_builtin_rules_completeness", () => {
    for (const type of ["creditcard", "password", "ip", "imei", "email", "uuid", "pemkey", "urlauth", "usssn", "userpath", "mac", "anything"]) {
      for (const method of ["mask", "remove", "hash", "replace"]) {
        const { problems } = compilePiiConfig({ applications: { $string: [`@${type}:${method}`] } });
        expect(problems, `@${type}:${method}`).toEqual([]);
      }
    }
  });
});

describe("relay-server logs processing", () => {
  it("fields a log carries beyond its schema are pii=maybe (Relay's OurLog `other`): the defaults leave them", () => {
    const out = scrubItem({ type: "log" }, { items: [{ level: "info", body: "hello", extra_field: "my password", attributes: {} }] });
    expect((out.items as Json[])[0]).toEqual({ level: "info", body: "hello", extra_field: "my password", attributes: {} });
  });

  it("test_scrub_log_pii_default_rules", () => {
    const values: Record<string, string> = {
      "user.name": "secret123",
      "sentry.release": "secret123",
      "url.path": "secret123",
      password: "secret123",
      secret: "topsecret",
      api_key: "sk-1234567890abcdef",
      auth_token: "bearer_token_123",
      credit_card: "4571234567890111",
      visa_card: "4571 2345 6789 0111",
      bank_account: "DE89370400440532013000",
      iban_code: "NO9386011117945",
      authorization: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
      private_key: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKB\n-----END PRIVATE KEY-----",
      database_url: "https://username:password@example.com/db",
      file_path: "C:\\Users\\john\\Documents\\secret.txt",
      unix_path: "/home/alice/private/data.json",
      social_security: "078-05-1120",
      user_email: "john.doe@example.com",
      client_ip: "192.168.1.100",
      ipv6_addr: "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
      mac_address: "4a:00:04:10:9b:50",
      session_id: "ceee0822-ed8f-4622-b2a3-789e73e75cd1",
      device_imei: "356938035643809",
      public_data: "public_data",
      very_sensitive_data: "very_sensitive_data",
    };
    // As the Sentry conventions Relay reads today mark them, `url.path` is personal (`sentry.release` is not).
    const scrubbedBy: Record<string, string> = {
      "url.path": "@password:filter",
      api_key: "@password:filter",
      auth_token: "@password:filter",
      authorization: "@bearer:filter",
      bank_account: "@iban:filter",
      credit_card: "@creditcard:filter",
      database_url: "@password:filter",
      file_path: "@password:filter",
      iban_code: "@iban:filter",
      password: "@password:filter",
      private_key: "@password:filter",
      secret: "@password:filter",
      social_security: "@usssn:filter",
      "user.name": "@password:filter",
      very_sensitive_data: "strip-fields",
      visa_card: "@creditcard:filter",
    };
    const ips = new Set(["client_ip", "ipv6_addr"]);
    const attributes = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { type: "string", value }]));
    const body = "Test log message with sensitive data: user@example.com and 4571234567890111";
    const out = scrubItem(
      { type: "log" },
      { items: [{ timestamp: 1544719860.0, trace_id: "5b8efff798038103d269b633813fc60c", span_id: "eee19b7ec3c1b174", level: "info", body, attributes }] },
      { scrubData: true, scrubDefaults: true, scrubIpAddresses: true, sensitiveFields: ["value", "very_sensitive_data"], excludeFields: ["public_data"] },
    );
    const log = (out.items as Json[])[0]!;
    const expected = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, { type: "string", value: ips.has(name) ? "[ip]" : Object.hasOwn(scrubbedBy, name) ? "[Filtered]" : value }]),
    );
    expect(log.attributes).toEqual(expected);
    const meta = Object.fromEntries([
      ...Object.entries(scrubbedBy).map(([name, rule]) => [name, { value: filtered(values[name]!.length, rule) }]),
      ...[...ips].map((name) => [name, { value: sub("@ip:replace", [0, 4], values[name]!.length) }]),
    ]);
    expect((log._meta as { attributes: unknown }).attributes).toEqual(meta);
  });
});

const DEFAULTS_ONLY: ScrubbingPolicy = { scrubData: true, scrubDefaults: true };
const NTDLL = (): Json => ({ debug_meta: { images: [{ type: "symbolic", code_id: "59b0d8f3183000", code_file: "C:\\Windows\\System32\\ntdll.dll", debug_id: "971f98e5-ce60-41ff-b2d7-235bbeb34578-1", debug_file: "wntdll.pdb", arch: "arm64", image_addr: "0x0", image_size: 4096, image_vmaddr: "0x8000", other: "value" }] } });
const withCodeFile = (codeFile: string): Json => {
  const event = NTDLL();
  ((event.debug_meta as { images: Json[] }).images[0]!).code_file = codeFile;
  return event;
};
const codeFileMeta = (meta: Json): Json => ({ debug_meta: { images: { "0": { code_file: meta } } } });
const HTTP_STRINGS = { query: "ccnumber=5105105105105100&process_id=123", fragment: "ccnumber=5105105105105100,process_id=123" };
const HTTP_OBJECTS = { query: { ccnumber: "5105105105105100", process_id: "123" }, fragment: { ccnumber: "5105105105105100", process_id: "123" } };
const UNTYPED = { untyped: "ccnumber=5105105105105100", more_untyped: { typed: "no", scrubbed: "yes", ccnumber: "5105105105105100" } };
const CARD_IN_TEXT = sub("@creditcard:filter", [9, 19], 40);
const CARD = filtered(16, "@creditcard:filter");
// Span and breadcrumb `data`: the input, the scrubbed output, and the `_meta` below `data`.
const DATA_CASES: readonly (readonly [name: string, input: Json, output: Json, meta: Json | undefined])[] = [
  ["http_not_scrubbed", { http: { query: "dance=true" } }, { http: { query: "dance=true" } }, undefined],
  [
    "http_strings_are_scrubbed",
    { http: HTTP_STRINGS },
    { http: { query: "ccnumber=[Filtered]&process_id=123", fragment: "ccnumber=[Filtered],process_id=123" } },
    { http: { query: CARD_IN_TEXT, fragment: CARD_IN_TEXT } },
  ],
  [
    "http_objects_are_scrubbed",
    { http: HTTP_OBJECTS },
    { http: { query: { ccnumber: "[Filtered]", process_id: "123" }, fragment: { ccnumber: "[Filtered]", process_id: "123" } } },
    { http: { query: { ccnumber: CARD }, fragment: { ccnumber: CARD } } },
  ],
  [
    "untyped_props_are_scrubbed",
    UNTYPED,
    { untyped: "ccnumber=[Filtered]", more_untyped: { typed: "no", scrubbed: "yes", ccnumber: "[Filtered]" } },
    { untyped: sub("@creditcard:filter", [9, 19], 25), more_untyped: { ccnumber: CARD } },
  ],
];
const GRAPHQL_QUERY = "{\n  viewer {\n    login\n  }\n}";
const graphqlEvent = (variables: boolean, apiTarget: boolean): Json => ({
  request: { data: variables ? { query: GRAPHQL_QUERY, variables: { login: "foo" } } : { query: GRAPHQL_QUERY }, ...(apiTarget ? { api_target: "graphql" } : {}) },
  contexts: { response: { type: "response", data: { data: { viewer: { login: "foo" } } } } },
});

describe("relay-pii processor.rs", () => {
  it("test_scrub_original_value: originals normalization kept in _meta are scrubbed too, without remarks", () => {
    const invalid = (reason: string, val: string): Json => ({ "": { err: [["invalid_data", { reason }]], val } });
    const event = {
      user: { username: "hey  man 73.133.27.120", ip_address: null },
      hpkp: null,
      _meta: {
        user: { ip_address: invalid("expected an ip address", "is this an ip address? 73.133.27.120") },
        hpkp: invalid("expected hpkp", "invalid data my ip address is  74.133.27.120 and my credit card number is  4571234567890111 "),
      },
    };
    expect(scrub(event)).toEqual({
      user: { username: "hey  man [ip]", ip_address: null },
      hpkp: null,
      _meta: {
        user: { ip_address: invalid("expected an ip address", "is this an ip address? [ip]"), username: sub("@ip:replace", [9, 13], 22) },
        hpkp: invalid("expected hpkp", "invalid data my ip address is  [ip] and my credit card number is  [Filtered] "),
      },
    });
  });

  it("test_basic_stripping", () => {
    const config = { rules: { remove_bad_headers: { type: "redact_pair", keyPattern: "(?i)cookie|secret[-_]?key" } }, applications: { $string: ["@ip"], "$object.**": ["remove_bad_headers"] } };
    const event = {
      logentry: { formatted: "Hello world!" },
      request: { env: { SECRET_KEY: "134141231231231231231312" }, headers: [["Cookie", "super secret"], ["X-Forwarded-For", "127.0.0.1"]] },
      tags: [["forwarded_for", "127.0.0.1"]],
    };
    expect(scrubWith(event, config)).toEqual({
      logentry: { formatted: "Hello world!" },
      request: { headers: [["Cookie", null], ["X-Forwarded-For", "[ip]"]], env: { SECRET_KEY: null } },
      tags: [["forwarded_for", "127.0.0.1"]],
      _meta: { request: { env: { SECRET_KEY: removed("remove_bad_headers") }, headers: { "0": { "1": removed("remove_bad_headers") }, "1": { "1": sub("@ip", [0, 4], 9) } } } },
    });
  });

  it.for<[string, Json, Json]>([
    ["test_redact_containers", { applications: { $object: ["@anything"] } }, { extra: null, _meta: { extra: removed("@anything") } }],
    [
      "test_redact_custom_pattern",
      { applications: { $string: ["myrule"] }, rules: { myrule: { type: "pattern", pattern: "foo", redaction: { method: "replace", text: "asd" } } } },
      { extra: { myvalue: "asdbar" }, _meta: { extra: { myvalue: sub("myrule", [0, 3], 6) } } },
    ],
    ["test_no_field_upsert", { applications: { "**": ["@anything:remove"] } }, { extra: null, _meta: { extra: removed("@anything:remove") } }],
    [
      "test_anything_hash_on_string",
      { applications: { $string: ["@anything:hash"] } },
      { extra: { myvalue: "168197CA3A9D4FE60EDE05116B0A125DA1AB3BD0" }, _meta: { extra: { myvalue: { "": { rem: [["@anything:hash", "p", 0, 40]], len: 6 } } } } },
    ],
    ["test_anything_hash_on_container", { applications: { $object: ["@anything:hash"] } }, { extra: null, _meta: { extra: removed("@anything:hash") } }],
  ])("%s", ([, config, expected]) => {
    expect(scrubWith({ extra: { myvalue: "foobar" } }, config)).toEqual(expected);
  });

  it("test_ignore_user_agent_ip_scrubbing", () => {
    expect(scrub({ request: { headers: [["User-Agent", "127.0.0.1"], ["X-Client-Ip", "10.0.0.1"]] } })).toEqual({
      request: { headers: [["User-Agent", "127.0.0.1"], ["X-Client-Ip", "[ip]"]] },
      _meta: { request: { headers: { "1": { "1": sub("@ip:replace", [0, 4], 8) } } } },
    });
  });

  it.for<[string, string, Json]>([
    ["test_remove_debugmeta_path", "@anything:remove", { ...withCodeFile("ntdll.dll"), _meta: codeFileMeta(removed("@anything:remove")) }],
    ["test_replace_debugmeta_path", "@anything:replace", { ...withCodeFile("[Filtered]\\ntdll.dll"), _meta: codeFileMeta(sub("@anything:replace", [0, 10], 19)) }],
    [
      "test_hash_debugmeta_path",
      "@anything:hash",
      { ...withCodeFile("16941E20B31710B72716F91FE4F0F27DE81DD6F1\\ntdll.dll"), _meta: codeFileMeta({ "": { rem: [["@anything:hash", "p", 0, 40]], len: 19 } }) },
    ],
  ])("%s", ([, rule, expected]) => {
    expect(scrubWith(NTDLL(), { applications: { "debug_meta.images.*.code_file": [rule], "debug_meta.images.*.debug_file": [rule] } })).toEqual(expected);
  });

  it("test_debugmeta_path_not_addressible_with_wildcard_selector", () => {
    const config = { applications: { $string: ["@anything:remove"], "**": ["@anything:remove"], "debug_meta.**": ["@anything:remove"], "(debug_meta.images.**.code_file & $string)": ["@anything:remove"] } };
    expect(scrubWith(NTDLL(), config)).toEqual(NTDLL());
  });

  it("test_quoted_keys", () => {
    const event = { extra: { "do not ,./<>?!@#$%^&*())'ßtrip'": "foo", "special ,./<>?!@#$%^&*())'gärbage'": "bar" } };
    expect(scrubWith(event, { applications: { "extra.'special ,./<>?!@#$%^&*())''gärbage'''": ["@anything:remove"] } })).toEqual({
      extra: { "do not ,./<>?!@#$%^&*())'ßtrip'": "foo", "special ,./<>?!@#$%^&*())'gärbage'": null },
      _meta: { extra: { "special ,./<>?!@#$%^&*())'gärbage'": removed("@anything:remove") } },
    });
  });

  it.for(["$logentry.formatted", "$message", "$logentry.formatted && $message", "$string"])("test_logentry_value_types: %s", (selector) => {
    const out = scrubWith({ logentry: { formatted: "Hello world!" } }, { applications: { [selector]: ["@anything:remove"] } });
    expect(out.logentry).toEqual({ formatted: null });
  });

  it("event.rs schema: the contexts map is not personal, the contexts Relay does not know are", () => {
    const out = scrubWith({ contexts: { custom: { a: "b" }, os: { name: "Linux" } } }, { applications: { $object: ["@anything:remove"] } });
    expect(out).toEqual({ contexts: { custom: null, os: { name: "Linux" } }, _meta: { contexts: { custom: removed("@anything:remove") } } });
  });

  it.for<[string, Chunk, string, RegExp, ReplaceBehavior]>([
    ["test_replace_replaced_text", { text: "[ip]", rule: "@ip", type: "s" }, "[ip]", /[^\n]*/g, "value"],
    ["test_replace_replaced_text_anything", { text: "[Filtered]", rule: "@password:filter", type: "s" }, "[Filtered]", /[^\n]*/g, [0]],
  ])("%s: text that is already a redaction is never redacted again", ([, chunk, text, regex, behavior]) => {
    const chunks = [chunk];
    expect(applyRegexToChunks(chunks, { origin: "@anything:filter", redaction: { method: "replace", text } }, { regex, behavior })).toBe(chunks);
  });

  it("test_ip_address_hashing", () => {
    const out = scrubWith({ user: { ip_address: "127.0.0.1" } }, { applications: { "$user.ip_address": ["@ip:hash"] } });
    expect(out.user).toEqual({ id: "AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741" });
  });

  it("test_ip_address_hashing_does_not_overwrite_id", () => {
    const out = scrubWith({ user: { id: "123", ip_address: "127.0.0.1" } }, { applications: { "$user.ip_address": ["@ip:hash"] } });
    expect(out.user).toEqual({ id: "123", ip_address: "AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741" });
  });

  it("span fields beyond the schema are pii=maybe (Relay's Span `other`): the defaults leave them", () => {
    const span = { op: "db", description: "SELECT password FROM users", custom_field: "password=hunter2" };
    expect(scrubItem({ type: "span" }, span, DEFAULTS_ONLY)).toEqual(span);
  });

  it.for(DATA_CASES)("test_scrub_span_data_%s", ([, input, output, meta]) => {
    const out = scrubItem({ type: "span" }, { data: input }, DEFAULTS_ONLY);
    expect(out).toEqual(meta === undefined ? { data: output } : { data: output, _meta: { data: meta } });
  });

  it.for(DATA_CASES)("test_scrub_breadcrumb_data_%s", ([, input, output, meta]) => {
    const out = scrub({ breadcrumbs: { values: [{ data: input }] } }, DEFAULTS_ONLY);
    const expected: Json = { breadcrumbs: { values: [{ data: output }] } };
    expect(out).toEqual(meta === undefined ? expected : { ...expected, _meta: { breadcrumbs: { values: { "0": { data: meta } } } } });
  });

  it("test_scrub_graphql_response_data_with_variables", () => {
    const out = scrub(graphqlEvent(true, true), DEFAULTS_ONLY);
    expect(out).toEqual({
      request: { data: { query: GRAPHQL_QUERY, variables: { login: "[Filtered]" } }, api_target: "graphql" },
      contexts: { response: { type: "response", data: { data: { viewer: { login: "[Filtered]" } } } } },
    });
  });

  it("test_scrub_graphql_response_data_without_variables", () => {
    const out = scrub(graphqlEvent(false, true), DEFAULTS_ONLY);
    expect(out).toEqual({ request: { data: { query: GRAPHQL_QUERY }, api_target: "graphql" }, contexts: { response: { type: "response", data: {} } } });
  });

  it("test_does_not_scrub_if_no_graphql", () => {
    expect(scrub(graphqlEvent(true, false))).toEqual(graphqlEvent(true, false));
  });

  it("test_sentry_user", () => {
    expect(scrub({ user: { ip_address: "73.133.27.120", sentry_user: "ip:73.133.27.120" } })).toEqual({
      user: { ip_address: null, sentry_user: "ip:[ip]" },
      _meta: { user: { ip_address: { "": { rem: [["@ip:replace", "s", 0, 4], ["@anything:remove", "x"]], len: 13 } }, sentry_user: sub("@ip:replace", [3, 7], 16) } },
    });
  });

  it("test_trace_route_params_scrubbed", () => {
    const trace = { trace_id: "4c79f60c11214eb38604f4ae0781bfb2", span_id: "fa90fdead5f74052", data: { previousRoute: { params: { password: "test" } } }, type: "trace" };
    expect(scrub({ contexts: { trace } })).toEqual({
      contexts: { trace: { ...trace, data: { previousRoute: { params: { password: "[Filtered]" } } } } },
      _meta: { contexts: { trace: { data: { previousRoute: { params: { password: filtered(4) } } } } } },
    });
  });

  it("test_logentry_formatted_password_word_not_scrubbed", () => {
    const event = { logentry: { formatted: "User password is secret123 for authentication" } };
    expect(scrub(event)).toEqual(event);
  });

  // Relay's snapshots of these give the outputs and lengths; the inputs here are of those lengths.
  it("test_logentry_formatted_never_fully_filtered", () => {
    const formatted = "User john.appleseed@mail.com failed login with card 4571234567890111";
    expect(formatted).toHaveLength(68);
    expect(scrub({ logentry: { formatted } })).toEqual({
      logentry: { formatted: "User [email] failed login with card [creditcard]" },
      _meta: { logentry: { formatted: { "": { rem: [["@email:replace", "s", 5, 12], ["@creditcard:replace", "s", 36, 48]], len: 68 } } } },
    });
  });

  it("test_logentry_formatted_bearer_token_scrubbing", () => {
    const formatted = "API request failed with Bearer eyJhbGciOiJIUzI1N and other data";
    expect(formatted).toHaveLength(63);
    expect(scrubWith({ logentry: { formatted } }, { applications: { "$logentry.formatted": ["@bearer"] } })).toEqual({
      logentry: { formatted: "API request failed with Bearer [token] and other data" },
      _meta: { logentry: { formatted: sub("@bearer", [24, 38], 63) } },
    });
  });

  it("test_only_match_token_on_keys", () => {
    const extra = { aaa: "token=12345", "foo-token-bar": "something", llm: "token count", url: "https://example.com/?token=abcde", url2: "https://example.com/session?token:abcde" };
    expect([extra.aaa.length, extra["foo-token-bar"].length, extra.url.length, extra.url2.length]).toEqual([11, 9, 32, 39]);
    const headers = [["X-Token", "eyJhbGciOiJIUzI1NiIsInR5cC"], ["Token", "abcdefgh"]];
    expect(scrub({ request: { headers }, extra })).toEqual({
      request: { headers: [["X-Token", "[Filtered]"], ["Token", "[Filtered]"]] },
      extra: { aaa: "[Filtered]", "foo-token-bar": "[Filtered]", llm: "token count", url: "[Filtered]", url2: "[Filtered]" },
      _meta: {
        extra: { aaa: filtered(11), "foo-token-bar": filtered(9), url: filtered(32), url2: filtered(39) },
        request: { headers: { "0": { "1": filtered(26) }, "1": { "1": filtered(8) } } },
      },
    });
  });
});

describe("relay-pii selector.rs", () => {
  it.for(["!(!a)", "!a || !b", "!a && !b", "!(a && !b)", "!(a && b)"])("test_roundtrip: %s", (text) => {
    const parsed = parseSelector(text);
    expect(parsed.ok && formatSelector(parsed.value)).toBe(text);
  });

  it.for(["* && foo", "$frame.**.foo.**"])("test_invalid: %s", (text) => {
    expect(parseSelector(text).ok).toBe(false);
  });
});

const utf16le = (text: string): Uint8Array => {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[2 * i] = text.charCodeAt(i) & 0xff;
    bytes[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return bytes;
};
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const attachmentPlan = (applications: Record<string, readonly string[]>, rules: Record<string, unknown> = {}) => compileScrubbing({ piiConfig: { rules, applications } }, {}).plan;

describe("relay-pii attachments.rs", () => {
  it.for<[string, string, (text: string) => Uint8Array, string]>([
    ["test_ip_replace_padding", "@ip", ascii, "before [ip]***** after"],
    ["test_ip_replace_padding_utf16", "@ip", utf16le, "before [ip]***** after"],
    ["test_ip_hash_trunchating", "@ip:hash", ascii, "before AE12FE3B5 after"],
    ["test_ip_hash_trunchating_utf16", "@ip:hash", utf16le, "before 3FA8F5A46 after"],
    ["test_ip_masking", "@ip:mask", ascii, "before ********* after"],
    ["test_ip_masking_utf16", "@ip:mask", utf16le, "before ********* after"],
    ["test_ip_removing", "@ip:remove", ascii, "before ********* after"],
    ["test_ip_removing_utf16", "@ip:remove", utf16le, "before ********* after"],
  ])("%s", ([, rule, encode, output]) => {
    expect(scrubAttachment("foo.txt", encode("before 127.0.0.1 after"), attachmentPlan({ $binary: [rule] }))).toEqual(encode(output));
  });

  it.for(["$string", "$number", "$attachments.* && $string", "$attachments", "** && !$binary"])("test_selectors: %s selects no attachment", (selector) => {
    const input = ascii("before 127.0.0.1 after");
    expect(scrubAttachment("foo.txt", input, attachmentPlan({ [selector]: ["@ip:mask"] }))).toEqual(input);
  });

  it("test_all_the_bytes", () => {
    const input = Uint8Array.from({ length: 255 }, (_, i) => i);
    expect(scrubAttachment("foo.txt", input, attachmentPlan({ $binary: ["@anything:remove"] }))).toEqual(new Uint8Array(255).fill(0x2a));
  });

  it.for([[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xe2, 0x82, 0x28], [0xf0, 0x28, 0x8c, 0xbc], [0xf0, 0x90, 0x28, 0xbc], [0xf0, 0x28, 0x8c, 0x28], [0xf8, 0xa1, 0xa1, 0xa1, 0xa1], [0xfc, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1]])(
    "test_bytes_regexes: %j",
    (bytes) => {
      const pattern = bytes.map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join("");
      const plan = attachmentPlan({ $binary: ["custom"] }, { custom: { type: "pattern", pattern, redaction: { method: "remove" } } });
      expect(scrubAttachment("foo.txt", Uint8Array.from(bytes), plan)).toEqual(new Uint8Array(bytes.length).fill(0x2a));
    },
  );

  it("test_segments_middle_2_byte_aligned: text between invalid UTF-16 is scrubbed in place", () => {
    const input = Uint8Array.from([0xd8, 0xd8, 0xd8, 0xd8, ...utf16le("hello"), 0xd8, 0xd8]);
    const plan = attachmentPlan({ $binary: ["custom"] }, { custom: { type: "pattern", pattern: "hello", redaction: { method: "replace", text: "world" } } });
    expect(scrubAttachment("foo.txt", input, plan)).toEqual(Uint8Array.from([0xd8, 0xd8, 0xd8, 0xd8, ...utf16le("world"), 0xd8, 0xd8]));
  });

  it("test_segments_too_short: runs under five characters are not read", () => {
    const input = Uint8Array.from([0xd8, 0xd8, ...utf16le("yo"), 0xd8, 0xd8, ...utf16le("hello")]);
    const plan = attachmentPlan({ $binary: ["custom"] }, { custom: { type: "pattern", pattern: "yo|hello", redaction: { method: "mask" } } });
    expect(scrubAttachment("foo.txt", input, plan)).toEqual(Uint8Array.from([0xd8, 0xd8, ...utf16le("yo"), 0xd8, 0xd8, ...utf16le("*****")]));
  });
});

const PEM_SHORT = "-----BEGIN EC PRIVATE KEY-----\nMIHbAgEBBEFbLvIaAaez3q0u6BQYMHZ28B7iSdMPPaODUMGkdorl3ShgTbYmzqGL\n-----END EC PRIVATE KEY-----";
const BEARER = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
// `attribute_rule_test!`: a rule on `$string` (advanced rules, attributes as objects) over one attribute.
const ATTRIBUTE_RULE_CASES: readonly (readonly [rule: string, input: string, output: string, remark: readonly [string, number, number]])[] = [
  ["@ip", "127.0.0.1", "[ip]", ["s", 0, 4]],
  ["@ip:replace", "127.0.0.1", "[ip]", ["s", 0, 4]],
  ["@ip:remove", "127.0.0.1", "", ["x", 0, 0]],
  ["@ip:mask", "127.0.0.1", "*********", ["m", 0, 9]],
  ["@email", "test@example.com", "[email]", ["s", 0, 7]],
  ["@email:replace", "test@example.com", "[email]", ["s", 0, 7]],
  ["@email:remove", "test@example.com", "", ["x", 0, 0]],
  ["@email:mask", "test@example.com", "****************", ["m", 0, 16]],
  ["@creditcard", "4242424242424242", "[creditcard]", ["s", 0, 12]],
  ["@creditcard:replace", "4242424242424242", "[creditcard]", ["s", 0, 12]],
  ["@creditcard:remove", "4242424242424242", "", ["x", 0, 0]],
  ["@creditcard:mask", "4242424242424242", "****************", ["m", 0, 16]],
  ["@iban", "DE89370400440532013000", "[iban]", ["s", 0, 6]],
  ["@iban:replace", "DE89370400440532013000", "[iban]", ["s", 0, 6]],
  ["@iban:remove", "DE89370400440532013000", "", ["x", 0, 0]],
  ["@iban:mask", "DE89370400440532013000", "**********************", ["m", 0, 22]],
  ["@mac", "4a:00:04:10:9b:50", "*****************", ["m", 0, 17]],
  ["@mac:replace", "4a:00:04:10:9b:50", "[mac]", ["s", 0, 5]],
  ["@mac:remove", "4a:00:04:10:9b:50", "", ["x", 0, 0]],
  ["@mac:mask", "4a:00:04:10:9b:50", "*****************", ["m", 0, 17]],
  ["@uuid", "ceee0822-ed8f-4622-b2a3-789e73e75cd1", "************************************", ["m", 0, 36]],
  ["@uuid:replace", "ceee0822-ed8f-4622-b2a3-789e73e75cd1", "[uuid]", ["s", 0, 6]],
  ["@uuid:remove", "ceee0822-ed8f-4622-b2a3-789e73e75cd1", "", ["x", 0, 0]],
  ["@uuid:mask", "ceee0822-ed8f-4622-b2a3-789e73e75cd1", "************************************", ["m", 0, 36]],
  ["@imei", "356938035643809", "[imei]", ["s", 0, 6]],
  ["@imei:replace", "356938035643809", "[imei]", ["s", 0, 6]],
  ["@imei:remove", "356938035643809", "", ["x", 0, 0]],
  ["@pemkey", PEM_SHORT, "-----BEGIN EC PRIVATE KEY-----\n[pemkey]\n-----END EC PRIVATE KEY-----", ["s", 31, 39]],
  ["@pemkey:replace", PEM_SHORT, "-----BEGIN EC PRIVATE KEY-----\n[pemkey]\n-----END EC PRIVATE KEY-----", ["s", 31, 39]],
  ["@pemkey:remove", PEM_SHORT, "-----BEGIN EC PRIVATE KEY-----\n\n-----END EC PRIVATE KEY-----", ["x", 31, 31]],
  ["@urlauth", "https://username:password@example.com/", "https://[auth]@example.com/", ["s", 8, 14]],
  ["@urlauth:replace", "https://username:password@example.com/", "https://[auth]@example.com/", ["s", 8, 14]],
  ["@urlauth:remove", "https://username:password@example.com/", "https://@example.com/", ["x", 8, 8]],
  ["@urlauth:mask", "https://username:password@example.com/", "https://*****************@example.com/", ["m", 8, 25]],
  ["@usssn", "078-05-1120", "***********", ["m", 0, 11]],
  ["@usssn:replace", "078-05-1120", "[us-ssn]", ["s", 0, 8]],
  ["@usssn:remove", "078-05-1120", "", ["x", 0, 0]],
  ["@usssn:mask", "078-05-1120", "***********", ["m", 0, 11]],
  ["@userpath", "/Users/john/Documents", "/Users/[user]/Documents", ["s", 7, 13]],
  ["@userpath:replace", "/Users/john/Documents", "/Users/[user]/Documents", ["s", 7, 13]],
  ["@userpath:remove", "/Users/john/Documents", "/Users//Documents", ["x", 7, 7]],
  ["@userpath:mask", "/Users/john/Documents", "/Users/****/Documents", ["m", 7, 11]],
  ["@password", "my_password_123", "", ["x", 0, 0]],
  ["@password:remove", "my_password_123", "", ["x", 0, 0]],
  ["@password:replace", "my_password_123", "[password]", ["s", 0, 10]],
  ["@password:mask", "my_password_123", "***************", ["m", 0, 15]],
  ["@bearer", BEARER, "Bearer [token]", ["s", 0, 14]],
  ["@bearer:replace", BEARER, "Bearer [token]", ["s", 0, 14]],
  ["@bearer:remove", BEARER, "", ["x", 0, 0]],
  ["@bearer:mask", BEARER, "*******************************************", ["m", 0, 43]],
];

/** Scrubs attributes as the only content of a span v2 (or a log) with a project's advanced rules and settings. */
function scrubAttributes(type: "span" | "log", attributes: Json, { piiConfig, settings }: { piiConfig?: unknown; settings: ScrubbingPolicy }): Json {
  const plan = compileScrubbing({ piiConfig }, settings).plan;
  const headers = type === "span" ? { type, content_type: "application/vnd.sentry.items.span.v2+json" } : { type };
  const result = scrubItemPayload(headers, new TextEncoder().encode(JSON.stringify({ items: [{ attributes }] })), plan);
  if (!result.ok) throw new Error(result.error.message);
  const item = (JSON.parse(new TextDecoder().decode(result.value)) as { items: Json[] }).items[0]!;
  const meta = (item._meta as { attributes?: Json } | undefined)?.attributes;
  return meta === undefined ? (item.attributes as Json) : { ...(item.attributes as Json), _meta: meta };
}

const stringAttr = (value: unknown): Json => ({ type: "string", value });

describe("relay-pii eap.rs", () => {
  for (const type of ["span", "log"] as const) {
    it.for(ATTRIBUTE_RULE_CASES)(`test_scrub_attributes_pii_string_rules (${type}): %s on %j`, ([rule, input, output, [kind, start, end]]) => {
      const name = `${rule}|${input}`;
      const out = scrubAttributes(type, { [name]: stringAttr(input) }, { piiConfig: { applications: { $string: [rule] } }, settings: { scrubData: true, scrubDefaults: false, scrubIpAddresses: false } });
      expect(out).toEqual({ [name]: stringAttr(output), _meta: { [name]: { value: { "": { rem: [[rule, kind, start, end]], len: charCount(input) } } } } });
    });
  }

  it("test_scrub_attributes_pii_default_rules", () => {
    const values: Record<string, string> = {
      "sentry.description": "secret123",
      "user.name": "secret123",
      "sentry.release": "secret123",
      "url.path": "secret123",
      "url.domain": "secret123",
      password: "secret123",
      secret: "topsecret",
      api_key: "sk-1234567890abcdef",
      auth_token: "bearer_token_123",
      credit_card: "4571234567890111",
      visa_card: "4571 2345 6789 0111",
      bank_account: "DE89370400440532013000",
      iban_code: "NO9386011117945",
      authorization: BEARER,
      private_key: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKB\n-----END PRIVATE KEY-----",
      database_url: "https://username:password@example.com/db",
      file_path: "C:\\Users\\john\\Documents\\secret.txt",
      unix_path: "/home/alice/private/data.json",
      social_security: "078-05-1120",
      user_email: "john.doe@example.com",
      client_ip: "192.168.1.100",
      ipv6_addr: "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
      mac_address: "4a:00:04:10:9b:50",
      session_id: "ceee0822-ed8f-4622-b2a3-789e73e75cd1",
      device_imei: "356938035643809",
      public_data: "public_data",
      very_sensitive_data: "very_sensitive_data",
    };
    const filteredBy: Record<string, string> = {
      "sentry.description": "@password:filter",
      "user.name": "@password:filter",
      "url.path": "@password:filter",
      password: "@password:filter",
      secret: "@password:filter",
      api_key: "@password:filter",
      auth_token: "@password:filter",
      credit_card: "@creditcard:filter",
      visa_card: "@creditcard:filter",
      bank_account: "@iban:filter",
      iban_code: "@iban:filter",
      authorization: "@bearer:filter",
      private_key: "@password:filter",
      database_url: "@password:filter",
      file_path: "@password:filter",
      social_security: "@usssn:filter",
      very_sensitive_data: "strip-fields",
    };
    const ips = ["client_ip", "ipv6_addr"];
    const settings = { scrubData: true, scrubDefaults: true, scrubIpAddresses: true, excludeFields: ["public_data"], sensitiveFields: ["value", "very_sensitive_data"] };
    const out = scrubAttributes("span", Object.fromEntries(Object.entries(values).map(([name, value]) => [name, stringAttr(value)])), { settings });
    expect(out).toEqual({
      ...Object.fromEntries(Object.entries(values).map(([name, value]) => [name, stringAttr(ips.includes(name) ? "[ip]" : Object.hasOwn(filteredBy, name) ? "[Filtered]" : value)])),
      _meta: Object.fromEntries([
        ...Object.entries(filteredBy).map(([name, rule]) => [name, { value: filtered(values[name]!.length, rule) }]),
        ...ips.map((name) => [name, { value: sub("@ip:replace", [0, 4], values[name]!.length) }]),
      ]),
    });
  });

  it("test_scrub_attributes_pii_custom_object_rules", () => {
    const attributes = {
      "sentry.description": stringAttr("secret123"),
      "user.name": stringAttr("secret123"),
      "sentry.release": stringAttr("secret123"),
      "url.path": stringAttr("secret123"),
      password: stringAttr("default_scrubbing_rules_are_off"),
      test_field_mac: stringAttr("4a:00:04:10:9b:50"),
      test_field_imei: stringAttr("356938035643809"),
      test_field_uuid: stringAttr("123e4567-e89b-12d3-a456-426614174000"),
      test_field_regex_passes: stringAttr("wxyz"),
      test_field_regex_fails: stringAttr("abc"),
    };
    const replaceWith = (type: string, text: string, extra: Json = {}): Json => ({ type, ...extra, redaction: { method: "replace", text } });
    const config = {
      rules: {
        "project:0": replaceWith("mac", "ITS_GONE"),
        "project:1": replaceWith("imei", "ITS_GONE"),
        "project:2": replaceWith("uuid", "BYE"),
        "project:3": replaceWith("pattern", "REGEXED", { pattern: "[w-z]+" }),
        "project:4": replaceWith("anything", "[USER NAME]"),
        "project:5": replaceWith("anything", "[RELEASE]"),
        "project:6": replaceWith("anything", "[URL PATH]"),
        "project:7": replaceWith("anything", "[DESCRIPTION]"),
      },
      applications: {
        "test_field_mac.value": ["project:0"],
        "test_field_imei.value": ["project:1"],
        "test_field_uuid.value": ["project:2"],
        "test_field_regex_passes.value || test_field_regex_fails.value": ["project:3"],
        "'user.name'.value": ["project:4"],
        "'sentry.release'.value": ["project:5"],
        "'url.path'.value": ["project:6"],
        "'sentry.description'.value": ["project:7"],
      },
    };
    const meta = (rule: string, end: number, len: number): Json => ({ value: sub(rule, [0, end], len) });
    expect(scrubAttributes("span", attributes, { piiConfig: config, settings: { scrubData: true, scrubDefaults: false, scrubIpAddresses: false } })).toEqual({
      "sentry.description": stringAttr("[DESCRIPTION]"),
      "user.name": stringAttr("[USER NAME]"),
      "sentry.release": stringAttr("secret123"),
      "url.path": stringAttr("[URL PATH]"),
      password: stringAttr("default_scrubbing_rules_are_off"),
      test_field_mac: stringAttr("ITS_GONE"),
      test_field_imei: stringAttr("ITS_GONE"),
      test_field_uuid: stringAttr("BYE"),
      test_field_regex_passes: stringAttr("REGEXED"),
      test_field_regex_fails: stringAttr("abc"),
      _meta: {
        "sentry.description": meta("project:7", 13, 9),
        test_field_imei: meta("project:1", 8, 15),
        test_field_mac: meta("project:0", 8, 17),
        test_field_regex_passes: meta("project:3", 7, 4),
        test_field_uuid: meta("project:2", 3, 36),
        "url.path": meta("project:6", 10, 9),
        "user.name": meta("project:4", 11, 9),
      },
    });
  });

  it("test_scrub_attributes_sensitive_fields", () => {
    const attributes = {
      normal_field: stringAttr("normal_data"),
      sensitive_custom: stringAttr("should_be_removed"),
      another_sensitive: { type: "integer", value: 42 },
      my_value: stringAttr("this_should_be_removed_as_sensitive"),
    };
    const settings = { scrubData: true, scrubDefaults: false, scrubIpAddresses: false, sensitiveFields: ["value", "sensitive_custom", "another_sensitive"] };
    expect(scrubAttributes("span", attributes, { settings })).toEqual({
      normal_field: stringAttr("normal_data"),
      sensitive_custom: stringAttr("[Filtered]"),
      another_sensitive: { type: "integer", value: null },
      my_value: stringAttr("[Filtered]"),
      _meta: {
        another_sensitive: { value: removed("strip-fields") },
        my_value: { value: filtered(35, "strip-fields") },
        sensitive_custom: { value: filtered(17, "strip-fields") },
      },
    });
  });

  it("test_scrub_attributes_safe_fields", () => {
    const attributes = { password: stringAttr("secret123"), credit_card: stringAttr("4242424242424242"), secret: stringAttr("this_should_stay") };
    expect(scrubAttributes("span", attributes, { settings: { scrubData: true, scrubDefaults: true, scrubIpAddresses: false, excludeFields: ["secret"] } })).toEqual({
      password: stringAttr("[Filtered]"),
      credit_card: stringAttr("[Filtered]"),
      secret: stringAttr("this_should_stay"),
      _meta: { credit_card: { value: filtered(16, "@creditcard:filter") }, password: { value: filtered(9) } },
    });
  });

  it("test_scrub_attributes_implicit_attribute_value", () => {
    const rules = { remove_abc123: { type: "pattern", pattern: "abc123", redaction: { method: "replace", text: "abc---" } } };
    const attributes = { remove_this_string_abc123: stringAttr("abc123") };
    const settings = { scrubData: true, scrubDefaults: true };
    expect(scrubAttributes("log", attributes, { piiConfig: { rules, applications: { remove_this_string_abc123: ["remove_abc123"] } }, settings })).toEqual(attributes);
    expect(scrubAttributes("log", attributes, { piiConfig: { rules, applications: { "remove_this_string_abc123.value": ["remove_abc123"] } }, settings })).toEqual({
      remove_this_string_abc123: stringAttr("abc---"),
      _meta: { remove_this_string_abc123: { value: sub("remove_abc123", [0, 6], 6) } },
    });
  });
});

describe("relay-server attachment scrubbing", () => {
  it("scrubs attachments with the project's advanced rules only, never the converted datascrubbing settings", () => {
    const input = ascii("password=hunter2 from 10.0.0.1 card 4571234567890111");
    const plan = compileScrubbing({}, { scrubData: true, scrubDefaults: true, scrubIpAddresses: true, sensitiveFields: ["password"] }).plan;
    expect(scrubAttachment("http.request.header.cookie", input, plan)).toEqual(input);
  });
});

interface State { key: string | undefined; index: number; types: number }
const keyState = (key: string, types: number): State => ({ key, index: -1, types });
const EVENT_STATE: State = { key: undefined, index: -1, types: VT.event };
const EXTRA_PATH = [EVENT_STATE, keyState("user", VT.user), keyState("extra", VT.object)];
const FOO_PATH = [...EXTRA_PATH, keyState("foo", VT.array)];
const ZERO_PATH = [...FOO_PATH, { key: undefined, index: 0, types: 0 }];
const ATTACHMENTS_PATH = [{ key: undefined, index: -1, types: 0 }, keyState("", VT.attachments)];
const TXT_PATH = [...ATTACHMENTS_PATH, keyState("file.txt", VT.binary)];
const DMP_PATH = [...ATTACHMENTS_PATH, keyState("file.dmp", VT.minidump)];
const DMP_INNER_PATH = [...DMP_PATH, keyState("", VT.binary)];

/** `assert_matches_pii_true!` (and `_maybe!`): each selector, their `&&`, `||` and `** || …` all match. */
function expectMatches(states: readonly State[], selectors: readonly string[], piis: readonly Pii[]): void {
  const combined = [...selectors, selectors.join(" && "), selectors.join(" || "), `** || ${selectors.join(" || ")}`];
  for (const pii of piis) {
    for (const text of combined) {
      const parsed = parseSelector(text);
      expect(parsed.ok && matchesSelector(parsed.value, pii, states), `${text} (pii ${pii})`).toBe(true);
    }
  }
}

describe("relay-pii selector.rs matching", () => {
  it.for<[string, readonly State[], readonly string[], readonly Pii[]]>([
    ["test_matching: an exact path, below a type", EXTRA_PATH, ["user.extra", "$user.extra", "(** || user.*) && !(foo.bar.baz || a.b.c)"], ["true", "maybe"]],
    ["test_matching: double negation is not specific", EXTRA_PATH, ["!(!user.extra)", "!(!$user.extra)"], ["true"]],
    ["test_matching: a wildcard into a type", FOO_PATH, ["$user.extra.*"], ["true", "maybe"]],
    ["test_matching: into an array", ZERO_PATH, ["$user.extra.foo.*", "$user.extra.foo.0"], ["true", "maybe"]],
    [
      "test_matching: deep wildcards and types anywhere",
      ZERO_PATH,
      ["$user.extra.foo.**", "$user.extra.**", "$user.**", "$event.**", "$user.**.0", "$user.$object.**.0", "(**.0 | absolutebogus)", "(~$object)", "($object.** & (~absolutebogus))"],
      ["true"],
    ],
    ["test_matching: types of the current value", FOO_PATH, ["($array & $object.*)", "(** & $object.*)", "**.$array"], ["true"]],
    ["test_attachments_matching: $attachments", ATTACHMENTS_PATH, ["$attachments"], ["true", "maybe"]],
    ["test_attachments_matching: a file", TXT_PATH, ["$attachments.'file.txt'", "$attachments.*"], ["true", "maybe"]],
    ["test_attachments_matching: binary", TXT_PATH, ["$binary", "$attachments.$binary", "$attachments.**"], ["true"]],
    ["test_attachments_matching: a minidump", DMP_PATH, ["$minidump"], ["true", "maybe"]],
    ["test_attachments_matching: a minidump below attachments", DMP_PATH, ["$attachments.$minidump"], ["true"]],
    ["test_attachments_matching: inside a minidump", DMP_INNER_PATH, ["$attachments.$minidump.$binary"], ["true"]],
  ])("%s", ([, states, selectors, piis]) => {
    expectMatches(states, selectors, piis);
  });
});

describe("relay-server attachments processor", () => {
  const scrubAttachmentItem = (applications: Record<string, readonly string[]>, attachmentType?: string): string => {
    const plan = compileScrubbing({ piiConfig: { rules: { "0": { type: "ip", redaction: { method: "remove" } } }, applications } }, {}).plan;
    const headers = { type: "attachment", filename: "foo.txt", ...(attachmentType === undefined ? {} : { attachment_type: attachmentType }) };
    const result = scrubItemPayload(headers, ascii("from 10.0.0.1"), plan);
    return new TextDecoder().decode(result.ok ? result.value : new Uint8Array());
  };

  it("matches_attachment_selector: a rule naming an attachment turns attachment scrubbing on", () => {
    expect(scrubAttachmentItem({ "$attachments.'foo.txt'": ["0"] })).toBe("from ********");
  });

  it.for<[string, Record<string, readonly string[]>]>([
    ["does_not_match_wildcard", { "$attachments.**": ["0"] }],
    ["does_not_match_empty", {}],
    ["does_not_match_something_else", { "**": ["0"] }],
  ])("%s: without a rule naming an attachment, attachments are left alone", ([, applications]) => {
    expect(scrubAttachmentItem(applications)).toBe("from 10.0.0.1");
  });

  it("scrubs every attachment type but minidumps once turned on", () => {
    expect(scrubAttachmentItem({ "$attachments.'foo.txt'": ["0"] }, "event.view_hierarchy")).toBe("from ********");
    expect(scrubAttachmentItem({ "$attachments.'foo.txt'": ["0"] }, "event.minidump")).toBe("from 10.0.0.1");
  });
});
