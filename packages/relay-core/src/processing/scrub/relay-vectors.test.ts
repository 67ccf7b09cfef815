import { describe, expect, it } from "vitest";
import { convertScrubbingSettings } from "./convert-settings.js";
import { SPAN_V2_SCHEMA } from "./item-schema.js";
import { compilePiiConfig } from "./pii-config.js";
import { scrubValue } from "./pii-processor.js";
import { scrubEvent } from "./scrub-event.js";
import { compileScrubbing } from "./scrub-plan.js";
import { scrubItemPayload } from "./scrub-item.js";
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
