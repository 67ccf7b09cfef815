import { DEFAULT_LIMITS } from "../src/relay-options.js";
import { deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` };
const EVENT_ID = "9ec79c33ec9942ab8353589fcb2e04dc";

describe("bad input gets a 4xx with a reason, never a 5xx", () => {
  let relay: Harness;
  beforeAll(() => {
    relay = startHarness({ limits: { ...DEFAULT_LIMITS, maxEventSize: 64 * 1024, maxEnvelopeSize: 1024 * 1024, maxAttachmentSize: 512 * 1024, maxSessionsPerEnvelope: 100, maxApiPayloadSize: 256 * 1024 } });
  });
  afterAll(async () => {
    await relay.close();
  });

  const post = async (url: string, payload: string | Buffer, headers: Record<string, string> = AUTH) => {
    const response = await relay.app.inject({ method: "POST", url, headers, payload });
    return { status: response.statusCode, body: response.body, json: () => response.json<{ detail: string; causes: string[] }>() };
  };

  const envelope = (...items: string[]): string => [`{"event_id":"${EVENT_ID}"}`, ...items].join("\n");
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));

  it.for<[string, string, string | Buffer, Record<string, string>, number, RegExp]>([
    ["truncated gzip", "/api/1/envelope/", gzipSync(envelope('{"type":"event"}', "{}")).subarray(0, 30), { ...AUTH, "content-encoding": "gzip" }, 400, /invalid envelope|invalid/],
    ["gzip bomb", "/api/1/envelope/", bomb, { ...AUTH, "content-encoding": "gzip" }, 413, /too large/],
    ["deflate bomb in a store body", "/api/1/store/", Buffer.from(deflateSync(Buffer.alloc(10 * 1024 * 1024, 0x20)).toString("base64")), AUTH, 413, /too large/],
    ["invalid base64", "/api/1/store/", "@@@not base64@@@", AUTH, 400, /invalid event/],
    ["10 000 levels of nesting in an event", "/api/1/store/", `{"extra":${deep}}`, AUTH, 200, /"id"/],
    ["invalid UTF-8", "/api/1/store/", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), AUTH, 200, /"id"/],
    ["wrong item length", "/api/1/envelope/", envelope('{"type":"event","length":100}', "{}"), AUTH, 400, /invalid envelope/],
    ["negative length", "/api/1/envelope/", envelope('{"type":"event","length":-5}', "{}"), AUTH, 400, /invalid envelope/],
    ["10 000 items", "/api/1/envelope/", envelope(...Array.from({ length: 10_000 }, () => '{"type":"log"}\n{}')), AUTH, 413, /too many items/],
    ["two events in one envelope", "/api/1/envelope/", envelope('{"type":"event"}', "{}", '{"type":"event"}', "{}"), AUTH, 400, /duplicate event item/],
    ["an envelope without items", "/api/1/envelope/", `{"event_id":"${EVENT_ID}"}\n`, AUTH, 400, /empty envelope/],
    ["a wrong event id", "/api/1/envelope/", '{"event_id":"not-an-id"}\n{"type":"event"}\n{}', AUTH, 400, /invalid envelope/],
    ["an oversized event item", "/api/1/envelope/", envelope('{"type":"event"}', `{"extra":{"x":"${"a".repeat(70 * 1024)}"}}`), AUTH, 413, /larger than/],
    ["an empty body", "/api/1/store/", "", AUTH, 400, /empty/],
    ["no auth", "/api/1/store/", "{}", {}, 401, /missing authorization information/],
    ["two kinds of auth", "/api/1/store/?sentry_key=" + KEY, "{}", AUTH, 401, /multiple authorization payloads detected/],
    ["a bad key", "/api/1/store/", "{}", { "x-sentry-auth": "Sentry sentry_key=short" }, 200, /"id"/],
    ["a future protocol", "/api/1/store/", "{}", { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=8` }, 400, /unsupported protocol version/],
    ["a non-numeric project", "/api/abc/store/", "{}", AUTH, 400, /invalid project id/],
    ["an unknown encoding", "/api/1/envelope/", envelope('{"type":"event"}', "{}"), { ...AUTH, "content-encoding": "compress" }, 400, /unsupported Content-Encoding/],
    ["a JSON array as event", "/api/1/store/", "[1,2]", AUTH, 400, /not an object/],
    ["101 session updates in one envelope (limit 100)", "/api/1/envelope/", envelope(...Array.from({ length: 101 }, () => '{"type":"session"}\n{"sid":"x","status":"ok"}')), AUTH, 413, /more than 100 session items/],
    ["100 session updates in one envelope (the limit)", "/api/1/envelope/", envelope(...Array.from({ length: 100 }, () => '{"type":"session"}\n{"sid":"x","status":"ok"}')), AUTH, 200, /"id"/],
    ["a declared body over the limit", "/api/1/envelope/", "x", { ...AUTH, "content-length": String(10 * 1024 * 1024) }, 413, /too large|size limit/],
  ])("%s, posted to %s", async ([_name, url, payload, headers, status, pattern]) => {
    const response = await post(url, payload, headers);
    expect(response.status, response.body).toBe(status);
    expect(response.body).toMatch(pattern);
    if (status >= 400) expect(Array.isArray(response.json().causes)).toBe(true);
  });

  it("answers huge headers with 431, not a crash", async () => {
    const response = await relay.app.inject({ method: "POST", url: "/api/1/store/", headers: { ...AUTH, "x-junk": "a".repeat(100_000) }, payload: "{}" });
    expect(response.statusCode).toBeLessThan(500);
  });

  it("never answers 5xx to random bodies and headers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          url: fc.constantFrom("/api/1/store/", "/api/1/envelope/", "/api/store/", "/api/1/security/", "/api/1/csp-report/", "/api/1/minidump/", "/api/1/events/9ec79c33ec9942ab8353589fcb2e04dc/attachments/"),
          body: fc.oneof(fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)), fc.string().map((s) => Buffer.from(s)), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)))),
          encoding: fc.constantFrom(undefined, "gzip", "deflate", "br", "identity", "x"),
          auth: fc.constantFrom(AUTH, {}, { "x-sentry-auth": "Sentry sentry_key=" }, { authorization: "Basic !!!" }, { ...AUTH, "content-type": "multipart/form-data; boundary=x" }, { ...AUTH, "content-type": "multipart/form-data" }),
        }),
        async ({ url, body, encoding, auth }) => {
          const headers: Record<string, string> = { ...auth };
          if (encoding) headers["content-encoding"] = encoding;
          const response = await relay.app.inject({ method: "POST", url, headers, payload: body });
          return response.statusCode < 500;
        },
      ),
      { numRuns: 200 },
    );
    await relay.drain();
  });
});
