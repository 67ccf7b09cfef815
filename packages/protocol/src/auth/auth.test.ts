import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAuthHeader, buildRelayAuthHeader, isValidPublicKey, parseAuthHeader, parseProtocolVersion } from "./auth-header.js";
import { extractAuth } from "./extract-auth.js";
import { computeLegacySignature, verifyLegacySignature } from "./legacy-signature.js";

const KEY = "0123456789abcdef0123456789abcdef";

describe("parseAuthHeader", () => {
  it("reads the fields of a protocol 7 header, trimming and skipping items without '='", () => {
    const parsed = parseAuthHeader(
      `Sentry sentry_version=7, sentry_client=raven-python/1.0 ,sentry_key=${KEY}, junk, sentry_secret=s3cr3t, sentry_timestamp=1329096377, other=1`,
    );
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ key: KEY, secret: "s3cr3t", version: 7, client: "raven-python/1.0", timestamp: 1329096377 }),
    });
  });

  it("takes the prefix in any case and ignores values that are not Sentry auth", () => {
    expect(parseAuthHeader(`SENTRY sentry_key=${KEY}`)?.ok).toBe(true);
    expect(parseAuthHeader(`Bearer sentry_key=${KEY}`)).toBeUndefined();
    expect(parseAuthHeader("Sentry")).toBeUndefined();
  });

  it.each([
    ["1329096377", 1329096377],
    ["1795355362850", 1795355362850],
    ["2026-11-22T13:49:22.000Z", undefined],
    ["soon", undefined],
  ])("tolerates timestamp %s", (text, expected) => {
    const parsed = parseAuthHeader(`Sentry sentry_key=${KEY}, sentry_timestamp=${text}`);
    expect(parsed?.ok && parsed.value.timestamp).toBe(expected);
  });

  it("refuses keys that are not real Sentry keys", () => {
    expect(parseAuthHeader("Sentry sentry_key=short")).toMatchObject({ ok: false, error: { code: "bad_public_key", status: 400 } });
    expect(isValidPublicKey(`${KEY}.no-cache`)).toBe(true);
    expect(isValidPublicKey(`${KEY}x`)).toBe(false);
  });
});

describe("parseProtocolVersion", () => {
  it.each([
    [undefined, 7],
    ["7", 7],
    ["2.0", 2],
    ["5", 5],
  ])("reads %s as %d", (text, version) => {
    expect(parseProtocolVersion(text)).toEqual({ ok: true, value: version });
  });

  it.each(["8", "x", "-1"])("refuses %s", (text) => {
    expect(parseProtocolVersion(text)).toMatchObject({ ok: false, error: { code: "bad_version", status: 400 } });
  });
});

describe("extractAuth", () => {
  it("finds each source", () => {
    const basic = Buffer.from(`${KEY}:`).toString("base64");
    expect(extractAuth({ headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}` } })).toMatchObject({ ok: true, value: { source: "x-sentry-auth" } });
    expect(extractAuth({ headers: { authorization: `Sentry sentry_key=${KEY}` } })).toMatchObject({ ok: true, value: { source: "authorization-sentry" } });
    expect(extractAuth({ headers: { authorization: `Basic ${basic}` } })).toMatchObject({ ok: true, value: { source: "authorization-basic", key: KEY } });
    expect(extractAuth({ headers: {}, query: `sentry_version=7&sentry_key=${KEY}` })).toMatchObject({ ok: true, value: { source: "query" } });
    expect(extractAuth({ headers: {}, envelopeDsn: `https://${KEY}@o1.ingest.example/42` })).toMatchObject({
      ok: true,
      value: { source: "envelope-dsn", key: KEY, projectId: "42" },
    });
  });

  it("reads fetch Headers too", () => {
    const headers = new Headers({ "X-Sentry-Auth": `Sentry sentry_key=${KEY}` });
    expect(extractAuth({ headers }).ok).toBe(true);
  });

  it("refuses no source and several sources with 401", () => {
    expect(extractAuth({ headers: {} })).toMatchObject({ ok: false, error: { code: "missing", status: 401, message: "missing authorization information" } });
    expect(extractAuth({ headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}` }, query: `sentry_key=${KEY}` })).toMatchObject({
      ok: false,
      error: { code: "multiple", status: 401, message: "multiple authorization payloads detected" },
    });
  });

  it("ignores an X-Sentry-Auth that is not Sentry auth and query strings without sentry_ parameters", () => {
    expect(extractAuth({ headers: { "x-sentry-auth": "Bearer x" }, query: `a=1&sentry_key=${KEY}` })).toMatchObject({ ok: true, value: { source: "query" } });
    expect(extractAuth({ headers: {}, query: "a=1" })).toMatchObject({ ok: false, error: { code: "missing" } });
  });

  it("accepts an envelope dsn beside header auth only when the keys agree", () => {
    const headers = { "x-sentry-auth": `Sentry sentry_key=${KEY}` };
    expect(extractAuth({ headers, envelopeDsn: `http://${KEY}@h/42` })).toMatchObject({ ok: true, value: { source: "x-sentry-auth", projectId: "42" } });
    expect(extractAuth({ headers, envelopeDsn: `http://${"f".repeat(32)}@h/42` })).toMatchObject({ ok: false, error: { code: "bad_dsn" } });
  });

  it("accepts any non-empty key when not strict", () => {
    expect(extractAuth({ headers: {}, query: "sentry_key=PUBLIC", strictKey: false })).toMatchObject({ ok: true, value: { key: "PUBLIC" } });
    expect(extractAuth({ headers: {}, query: "sentry_key=PUBLIC" })).toMatchObject({ ok: false, error: { code: "bad_public_key" } });
  });

  it("never throws on arbitrary headers and queries", () => {
    fc.assert(
      fc.property(fc.record({ sentry: fc.string(), authorization: fc.string(), query: fc.string(), dsn: fc.string(), strictKey: fc.boolean() }), (input) => {
        const { sentry, authorization, query, dsn, strictKey } = input;
        const result = extractAuth({ headers: { "x-sentry-auth": sentry, authorization }, query, envelopeDsn: dsn, strictKey });
        return typeof result.ok === "boolean";
      }),
    );
  });

  it("round-trips the headers it builds", () => {
    fc.assert(
      fc.property(
        fc.record({
          key: fc.stringMatching(/^[0-9a-f]{32}$/),
          secret: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }),
          version: fc.integer({ min: 1, max: 7 }),
          client: fc.option(fc.stringMatching(/^[a-z.-]{1,10}\/[0-9.]{1,6}$/), { nil: undefined }),
        }),
        ({ key, secret, version, client }) => {
          const parsed = parseAuthHeader(buildAuthHeader({ key, secret, version, client }));
          return parsed?.ok === true && parsed.value.key === key && parsed.value.secret === secret && parsed.value.version === version && parsed.value.client === client;
        },
      ),
    );
  });
});

describe("buildRelayAuthHeader", () => {
  it("writes the key first, as Sentry Relay does upstream", () => {
    expect(buildRelayAuthHeader({ key: KEY, client: "sentry.javascript.node/8.0.0" })).toBe(`Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=sentry.javascript.node/8.0.0`);
    expect(buildRelayAuthHeader({ key: KEY })).toBe(`Sentry sentry_key=${KEY}, sentry_version=7`);
  });

  it("round-trips through parseAuthHeader", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{32}$/),
        fc.integer({ min: 1, max: 7 }),
        fc.option(fc.stringMatching(/^[a-z.-]{1,10}\/[0-9.]{1,6}$/), { nil: undefined }),
        (key, version, client) => {
          const parsed = parseAuthHeader(buildRelayAuthHeader({ key, version, client }));
          return parsed?.ok === true && parsed.value.key === key && parsed.value.version === version && parsed.value.client === client;
        },
      ),
    );
  });
});

describe("legacy protocol 2.0 signatures", () => {
  it("signs '<timestamp> <body>' with HMAC-SHA1 and verifies it", () => {
    const signature = computeLegacySignature("secret", "1000", "eJyrVkrLz1eyUkpKLFKqBQAdegQ0");
    expect(signature).toMatch(/^[0-9a-f]{40}$/);
    expect(verifyLegacySignature({ secret: "secret", signature, timestamp: "1000", rawBody: "eJyrVkrLz1eyUkpKLFKqBQAdegQ0", now: 1_000_000 })).toEqual({ ok: true, value: true });
    expect(verifyLegacySignature({ secret: "secret", signature: undefined, timestamp: "1000", rawBody: "", now: 0 })).toMatchObject({
      ok: false,
      error: { code: "missing_signature", status: 401 },
    });
    expect(verifyLegacySignature({ secret: "secret", signature, timestamp: "1000", rawBody: "tampered", now: 1_000_000 })).toMatchObject({
      ok: false,
      error: { code: "bad_signature", status: 403 },
    });
  });
});
