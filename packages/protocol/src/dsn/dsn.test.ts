import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dsnEndpointUrl, dsnToString, isDisabledDsn, parseDsn, requireNumericProjectId } from "./dsn.js";

describe("parseDsn", () => {
  it.each([
    ["https://username:password@domain:8888/23", { publicKey: "username", secretKey: "password", host: "domain", port: 8888, path: "", projectId: "23" }],
    ["http://username:@domain:8888/pathone/pathtwo/pid", { publicKey: "username", secretKey: undefined, port: 8888, path: "pathone/pathtwo", projectId: "pid" }],
    ["https://username@domain:8888/42", { publicKey: "username", secretKey: undefined, projectId: "42" }],
    ["https://k@h/prefix/sub/42", { host: "h", port: undefined, path: "prefix/sub", projectId: "42" }],
    ["https://k@[::1]:9000/1", { host: "[::1]", port: 9000 }],
    ["https://k@[fe80::1%eth0]/1", { host: "[fe80::1%eth0]", port: undefined }],
    ["http://k@127.0.0.1:3000/1/", { host: "127.0.0.1", projectId: "1" }],
    ["HTTPS://k@Sentry.Example.COM/7", { scheme: "https", host: "sentry.example.com" }],
  ])("reads %s", (text, expected) => {
    const result = parseDsn(text);
    expect(result.ok && result.value).toMatchObject(expected);
  });

  it.each([
    ["", "empty"],
    ["not a url", "not_a_url"],
    ["ftp://k@h/1", "bad_scheme"],
    ["https://:pw@h/1", "missing_public_key"],
    ["https://h/1", "missing_public_key"],
    ["https://k@/1", "missing_host"],
    ["https://k@h:99999/1", "bad_port"],
    ["https://k@h:port/1", "bad_port"],
    ["https://k@h/", "missing_project_id"],
    ["https://k@h", "missing_project_id"],
    ["https://k@[zz::1]/1", "not_a_url"],
    ["https://%@h/1", "not_a_url"],
    ["https://k:%zz@h/1", "not_a_url"],
  ])("refuses %j with %s", (text, code) => {
    const result = parseDsn(text);
    expect(result.ok ? "parsed" : result.error.code).toBe(code);
  });

  it("hides the secret unless asked and round-trips", () => {
    const dsn = parseDsn("https://public:secret@sentry.example.com:8443/prefix/42");
    if (!dsn.ok) throw dsn.error;
    expect(dsnToString(dsn.value)).toBe("https://public@sentry.example.com:8443/prefix/42");
    expect(dsnToString(dsn.value, true)).toBe("https://public:secret@sentry.example.com:8443/prefix/42");
    expect(parseDsn(dsnToString(dsn.value, true))).toEqual(dsn);
  });

  it("builds endpoint URLs with the path prefix and without default ports", () => {
    const dsn = parseDsn("https://k@h:443/prefix/sub/42");
    if (!dsn.ok) throw dsn.error;
    expect(dsnEndpointUrl(dsn.value, "store")).toBe("https://h/prefix/sub/api/42/store/");
    expect(dsnEndpointUrl(dsn.value, "envelope")).toBe("https://h/prefix/sub/api/42/envelope/");
    const local = parseDsn("http://k@127.0.0.1:3000/1");
    if (!local.ok) throw local.error;
    expect(dsnEndpointUrl(local.value, "minidump")).toBe("http://127.0.0.1:3000/api/1/minidump/");
  });

  it("requires a numeric project id for relays", () => {
    const dsn = parseDsn("http://k@h/pid");
    if (!dsn.ok) throw dsn.error;
    expect(requireNumericProjectId(dsn.value)).toMatchObject({ ok: false, error: { code: "non_numeric_project_id" } });
  });

  it("treats empty DSNs as disabled", () => {
    expect([isDisabledDsn(""), isDisabledDsn("  "), isDisabledDsn(undefined), isDisabledDsn("http://k@h/1")]).toEqual([true, true, true, false]);
  });

  it("never throws on arbitrary text", () => {
    // Any code point, lone surrogates included (fc.string's "binary" unit takes seconds to set up).
    const anyChar = fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code));
    fc.assert(fc.property(fc.string({ unit: anyChar, maxLength: 40 }), (text) => typeof parseDsn(text).ok === "boolean"));
    // Text shaped like a DSN, each part drawn from the pieces the parser looks at (malformed
    // percent-escapes, brackets, stray separators), so every branch of the parser is reached.
    const part = (...pieces: string[]): fc.Arbitrary<string> => fc.array(fc.constantFrom(...pieces), { maxLength: 5 }).map((p) => p.join(""));
    const dsnLike = fc
      .tuple(
        fc.constantFrom("http://", "HTTPS://", "ftp://", "http:/", "", " https://"),
        part("k", "key", ":", "%", "%4", "%41", "%zz", "é", "@"),
        fc.constantFrom("@", "", "@@"),
        part("h", "host.example", "[", "]", "::1", "%eth0", ":", "8080", "99999", "%"),
        part("/", "1", "prefix", "?", "#", "%", " "),
      )
      .map((parts) => parts.join(""));
    fc.assert(fc.property(dsnLike, (text) => typeof parseDsn(text).ok === "boolean"), { numRuns: 1_000 });
  });

  it("round-trips every DSN it renders", () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.record({
          scheme: fc.constantFrom("http", "https"),
          key: segment,
          secret: fc.option(segment, { nil: undefined }),
          host: fc.domain(),
          port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
          prefix: fc.array(segment, { maxLength: 3 }),
          projectId: fc.stringMatching(/^[0-9]{1,6}$/),
        }),
        ({ scheme, key, secret, host, port, prefix, projectId }) => {
          const text = `${scheme}://${key}${secret ? `:${secret}` : ""}@${host}${port ? `:${port}` : ""}/${prefix.map((p) => `${p}/`).join("")}${projectId}`;
          const parsed = parseDsn(text);
          if (!parsed.ok) return false;
          const again = parseDsn(dsnToString(parsed.value, true));
          return again.ok && JSON.stringify(again.value) === JSON.stringify(parsed.value);
        },
      ),
    );
  });
});
