import { describe, expect, it } from "vitest";
import { convertScrubbingSettings } from "./convert-settings.js";
import { compileScrubbing } from "./scrub-plan.js";
import { scrubEventInPlace, scrubItemPayload } from "./scrub-item.js";
import type { ScrubbingPolicy } from "./scrubbing-policy.js";

const ENABLED: ScrubbingPolicy = { scrubData: true, scrubDefaults: true, scrubIpAddresses: true };

function scrub(event: Record<string, unknown>, settings: ScrubbingPolicy = ENABLED): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  scrubEventInPlace(copy, compileScrubbing({}, settings).plan);
  return copy;
}

// The vectors of Relay's convert.rs tests (ported from Sentry's legacy data scrubber tests).
const SENSITIVE_VARS = { foo: "bar", password: "hello", the_secret: "hello", a_password_here: "hello", api_key: "secret_key", apiKey: "secret_key", otp: "otp_code", "two-factor": "otp_code", two_factor: "otp_code" };
const SCRUBBED_VARS = { foo: "bar", password: "[Filtered]", the_secret: "[Filtered]", a_password_here: "[Filtered]", api_key: "[Filtered]", apiKey: "[Filtered]", otp: "[Filtered]", "two-factor": "[Filtered]", two_factor: "[Filtered]" };
const COOKIE_NAMES = ["sentrysid", "sudo", "su", "session", "__session", "sessionid", "user_session", "symfony", "phpsessid", "fasthttpsessionid", "mysession", "irissessionid", "_vercel_jwt", "csrf", "xsrf", "_xsrf", "_csrf", "csrf-token", "csrf_token", "xsrf-token", "xsrf_token", "fastcsrf", "_iris_csrf"];

describe("datascrubbingSettings converted as Relay converts them", () => {
  it("scrubs nothing by default", () => {
    expect(convertScrubbingSettings({})).toBeUndefined();
  });

  it("builds Relay's applications", () => {
    const config = convertScrubbingSettings({ ...ENABLED, sensitiveFields: ["fieldy_field", "moar_other_field"] })!;
    expect(config.rules).toEqual({ "strip-fields": { type: "redact_pair", keyPattern: "fieldy_field|moar_other_field", redaction: { method: "replace", text: "[Filtered]" } } });
    expect(config.applications["($string || $number || $array || $object) && !(debug_meta.** || $frame.filename || $frame.abs_path || $logentry.formatted || $error.value || $http.headers.user-agent)"]).toEqual(["@common:filter", "@ip:replace", "strip-fields"]);
    expect(config.applications["$http.env.REMOTE_ADDR || $user.ip_address || $sdk.client_ip || $span.sentry_tags.'user.ip' || attributes.'client.address'"]).toEqual(["@anything:remove"]);
    expect(Object.keys(config.applications)).toHaveLength(4);
  });

  it("scrubs IP addresses alone when only they are asked for", () => {
    expect(convertScrubbingSettings({ scrubIpAddresses: true })!.applications).toEqual({
      "$http.env.REMOTE_ADDR || $user.ip_address || $sdk.client_ip || $span.sentry_tags.'user.ip' || attributes.'client.address'": ["@anything:remove"],
      "($string || $number || $array || $object) && !(debug_meta.** || $frame.filename || $frame.abs_path || $logentry.formatted || $error.value || $http.headers.user-agent)": ["@ip:replace"],
    });
    expect(scrub({ extra: { from: "client 10.1.2.3", password: "kept" }, user: { ip_address: "10.1.2.3" } }, { scrubIpAddresses: true })).toMatchObject({
      extra: { from: "client [ip]", password: "kept" },
      user: { ip_address: null },
    });
  });

  it.each([
    ["extra", { extra: SENSITIVE_VARS }, { extra: SCRUBBED_VARS }],
    ["frame vars", { stacktrace: { frames: [{ vars: SENSITIVE_VARS }] } }, { stacktrace: { frames: [{ vars: SCRUBBED_VARS }] } }],
    ["contexts", { contexts: { biz: SENSITIVE_VARS } }, { contexts: { biz: SCRUBBED_VARS } }],
    ["a container under a sensitive key, whole", { contexts: { secret: SENSITIVE_VARS } }, { contexts: { secret: null } }],
    ["request data, env, headers and cookies", { request: { data: SENSITIVE_VARS, env: SENSITIVE_VARS, headers: SENSITIVE_VARS, cookies: SENSITIVE_VARS } }, { request: { data: SCRUBBED_VARS, env: SCRUBBED_VARS, headers: SCRUBBED_VARS, cookies: SCRUBBED_VARS } }],
    ["breadcrumb data", { breadcrumbs: { values: [{ message: "m", data: SENSITIVE_VARS }] } }, { breadcrumbs: { values: [{ message: "m", data: SCRUBBED_VARS }] } }],
    ["user data", { user: { username: "secret", ip_address: "73.133.27.120", data: SENSITIVE_VARS } }, { user: { username: "[Filtered]", ip_address: null, data: SCRUBBED_VARS } }],
    ["the keys Relay adds: tokens, private keys", { extra: { token: "a", refresh_token: "b", private_key: "c", privatekey: "d", "X-Token": "e", llm: "token count", aaa: "token=1234" } }, { extra: { token: "[Filtered]", refresh_token: "[Filtered]", private_key: "[Filtered]", privatekey: "[Filtered]", "X-Token": "[Filtered]", llm: "token count", aaa: "[Filtered]" } }],
    ["a query string as text; request.url is reached only by explicit selectors, as in Relay (normalization moves its query out first)", { request: { url: "https://example.com/login?password=hunter2", query_string: "foo=bar&password=hello" } }, { request: { url: "https://example.com/login?password=hunter2", query_string: "[Filtered]" } }],
    ["a query string as pairs", { request: { query_string: [["foo", "bar"], ["password", "hello"]] } }, { request: { query_string: [["foo", "bar"], ["password", "[Filtered]"]] } }],
    ["numbers, lists and objects under a sensitive key", { extra: { password: 42, secret: [1, 2], auth: { a: "b" } } }, { extra: { password: null, secret: null, auth: null } }],
    ["a URL password", { extra: { url: "pg://matt:pass@localhost/1" } }, { extra: { url: "pg://matt:[Filtered]@localhost/1" } }],
    ["a card number", { extra: { foo: "4571234567890111" } }, { extra: { foo: "[Filtered]" } }],
    ["an Amex card inside a value", { extra: { foo: "blah 378282246310005 blah" } }, { extra: { foo: "blah [Filtered] blah" } }],
    ["a US SSN", { extra: { foo: "123-45-6789" } }, { extra: { foo: "[Filtered]" } }],
    ["a PEM key's body", { extra: { key: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----" } }, { extra: { key: "-----BEGIN RSA PRIVATE KEY-----\n[Filtered]\n-----END RSA PRIVATE KEY-----" } }],
    ["the remote address", { request: { env: { REMOTE_ADDR: "127.0.0.1" } } }, { request: { env: { REMOTE_ADDR: null } } }],
    ["the SDK's client IP", { sdk: { name: "x", client_ip: "should also be stripped" } }, { sdk: { name: "x", client_ip: null } }],
    ["a span's user.ip tag", { spans: [{ sentry_tags: { "user.ip": "73.133.27.120" } }] }, { spans: [{ sentry_tags: { "user.ip": null } }] }],
  ])("scrubs %s", (_name, event, expected) => {
    expect(scrub(event)).toMatchObject(expected);
  });

  it("filters only session and CSRF cookies, not the whole cookie jar", () => {
    const cookies = Object.fromEntries([...COOKIE_NAMES.map((name) => [name, `my ${name}`]), ["not_sensitive", "keep this"]]);
    const out = scrub({ request: { cookies }, contexts: { response: { cookies } } }) as { request: { cookies: Record<string, string> }; contexts: { response: { cookies: Record<string, string> } } };
    for (const jar of [out.request.cookies, out.contexts.response.cookies]) {
      for (const name of COOKIE_NAMES) expect(jar[name], name).toBe("[Filtered]");
      expect(jar.not_sensitive).toBe("keep this");
    }
  });

  it.each([
    ["debug_meta", { debug_meta: { images: [{ code_file: "/Users/foo/bar", debug_file: "password" }] } }],
    ["frame paths", { stacktrace: { frames: [{ filename: "/home/password/x.js", abs_path: "/secret/x.js" }] } }],
    ["an exception value, by key-based rules", { exception: { values: [{ type: "Error", value: "password=hunter2 secret" }] } }],
    ["the user agent, by IP rules", { request: { headers: [["User-Agent", "127.0.0.1"]] } }],
    ["tags, reachable only by explicit paths", { tags: { password: "x", ip: "1.2.3.4" } }],
    ["booleans and special strings", { extra: { a: true, b: "true", c: "null", d: "undefined", e: "" } }],
    ["release and environment", { release: "secret@1.0", environment: "password" }],
  ])("never touches %s", (_name, event) => {
    expect(scrub(event)).toEqual(event);
  });

  it("gives logentry.formatted only the replacing rules", () => {
    const out = scrub({ logentry: { formatted: "failed with Bearer abc.def for a@b.com with password card 4571234567890111" } });
    expect(out.logentry).toEqual({ formatted: "failed with Bearer [token] for [email] with password card [creditcard]" });
    expect(out._meta).toEqual({ logentry: { formatted: { "": { rem: [["@bearer:replace", "s", 12, 26], ["@email:replace", "s", 31, 38], ["@creditcard:replace", "s", 58, 70]], len: 74 } } } });
  });

  it("honours sensitive fields and excluded fields as selectors", () => {
    const settings = { ...ENABLED, sensitiveFields: ["email", " "], excludeFields: ["password", "$user.id", "keep.**", "not a selector!"] };
    const out = scrub({ extra: { user_email: "x", password: "kept", secret: "gone", "not a selector!": "secret kept" }, user: { id: "secret-id" }, keep: { a: { token: "kept" } } }, settings);
    expect(out).toMatchObject({ extra: { user_email: "[Filtered]", password: "kept", secret: "[Filtered]", "not a selector!": "secret kept" }, user: { id: "secret-id" }, keep: { a: { token: "kept" } } });
  });

  it("records _meta in Relay's shape", () => {
    const out = scrub({ extra: { password: "hunter2", n: 1.5, note: "card 4571234567890111" } }, { scrubData: true, scrubDefaults: true });
    expect(out._meta).toEqual({
      extra: {
        password: { "": { rem: [["@password:filter", "s", 0, 10]], len: 7 } },
        note: { "": { rem: [["@creditcard:filter", "s", 5, 15]], len: 21 } },
      },
    });
    const removed = scrub({ extra: { password: 1.5 } }, { scrubData: true, scrubDefaults: true });
    expect(removed._meta).toEqual({ extra: { password: { "": { rem: [["@password:filter", "x"]] } } } });
  });

  it("scrubs log and v2 span attributes by the attribute's name, leaving its type alone", () => {
    const plan = compileScrubbing({}, { ...ENABLED, sensitiveFields: ["value", "very_sensitive_data"], excludeFields: ["public_data"] }).plan;
    const attrs = (value: string) => ({ type: "string", value });
    const payload = { items: [{ attributes: { password: attrs("secret123"), "user.name": attrs("73.133.27.120"), "client.address": attrs("whatever"), "sentry.release": attrs("secret123"), very_sensitive_data: attrs("x"), public_data: attrs("public secret"), note: attrs("card 4571234567890111") } }] };
    const result = scrubItemPayload({ type: "span", content_type: "application/vnd.sentry.items.span.v2+json" }, new TextEncoder().encode(JSON.stringify(payload)), plan);
    expect(result.ok).toBe(true);
    const span = (JSON.parse(new TextDecoder().decode(result.ok ? result.value : new Uint8Array())) as { items: { attributes: Record<string, unknown>; _meta: unknown }[] }).items[0]!;
    expect(span.attributes).toEqual({
      password: attrs("[Filtered]"),
      "user.name": attrs("[ip]"),
      "client.address": { type: "string", value: null },
      "sentry.release": attrs("secret123"),
      very_sensitive_data: attrs("[Filtered]"),
      public_data: attrs("public secret"),
      note: attrs("card [Filtered]"),
    });
    expect(span._meta).toMatchObject({ attributes: { password: { value: { "": { rem: [["@password:filter", "s", 0, 10]], len: 9 } } } } });
  });
});
