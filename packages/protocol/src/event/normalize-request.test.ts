import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEvent } from "./normalize-event.js";
import { normalizeHeaderName, normalizeRequest, parseCookies, parseQueryString } from "./normalize-request.js";

const normalized = (request: Record<string, unknown>): Record<string, unknown> => normalizeRequest(request).request;

describe("normalizeRequest", () => {
  it.each([
    ["http://example.com/path?foo#bar", "http://example.com/path"],
    ["http://example.com/path#foo?bar", "http://example.com/path"],
    ["http://example.com/path\u2026", "http://example.com/path..."],
    ["metamask/popup.html#", "metamask/popup.html"],
    ["http://göögle.com/", "http://xn--ggle-5qaa.com/"],
    ["http://example.com", "http://example.com/"],
  ])("keeps only the address part of %s", (url, expected) => {
    expect(normalized({ url }).url).toBe(expected);
  });

  it("moves the query string and the fragment into their own fields", () => {
    expect(normalized({ url: "http://example.com/path?some=thing#else" })).toEqual({
      url: "http://example.com/path",
      query_string: [["some", "thing"]],
      fragment: "else",
    });
    expect(normalized({ url: "http://example.com/path?some" })).toEqual({ url: "http://example.com/path", query_string: [["some", ""]] });
    expect(normalized({ url: "/relative/path?a=1&b=x+y#top" })).toEqual({ url: "/relative/path", query_string: [["a", "1"], ["b", "x y"]], fragment: "top" });
  });

  it("keeps a query string and fragment that were given, over the URL's", () => {
    expect(normalized({ url: "http://example.com/path?completely=different#stuff", query_string: [["some", "thing"]], fragment: "else" })).toEqual({
      url: "http://example.com/path",
      query_string: [["some", "thing"]],
      fragment: "else",
    });
  });

  it("parses query strings given as text or maps into pairs", () => {
    expect(normalized({ query_string: "?foo=bar&baz=42" }).query_string).toEqual([["foo", "bar"], ["baz", "42"]]);
    expect(normalized({ query_string: "foo=bar&baz" }).query_string).toEqual([["foo", "bar"], ["baz", ""]]);
    expect(normalized({ query_string: { foo: "bar", baz: { a: 42 } } }).query_string).toEqual([["baz", '{"a":42}'], ["foo", "bar"]]);
    const invalid = normalizeRequest({ query_string: 42 });
    expect(invalid.request.query_string).toBeUndefined();
    expect(invalid.remarks).toEqual([{ field: "query_string", error: ["invalid_data", { reason: "expected a query string or map" }], original: 42 }]);
  });

  it("upper-cases the method and drops one that is not a method", () => {
    expect(normalized({ method: "post" }).method).toBe("POST");
    const invalid = normalizeRequest({ method: "!!!!" });
    expect(invalid.request).not.toHaveProperty("method");
    expect(invalid.remarks).toEqual([{ field: "method", error: "invalid_data", original: "!!!!" }]);
  });

  it("capitalizes header names, sorts a header map and joins repeated values", () => {
    expect(normalized({ headers: { "-other-": "header", accept: "application/json", "WWW-Authenticate": "basic", "x-sentry": "version=8" } }).headers).toEqual([
      ["-Other-", "header"],
      ["Accept", "application/json"],
      ["WWW-Authenticate", "basic"],
      ["X-Sentry", "version=8"],
    ]);
    expect(normalized({ headers: { "X-Foo": [""], "X-Bar": [42, "bar", "baz"] } }).headers).toEqual([["X-Bar", "42,bar,baz"], ["X-Foo", ""]]);
    // A list keeps its order.
    expect(normalized({ headers: [["x-b", "1"], ["accept", "2"]] }).headers).toEqual([["X-B", "1"], ["Accept", "2"]]);
  });

  it("parses the Cookie header into cookies and removes it; explicit cookies win", () => {
    expect(normalized({ url: "http://example.com", headers: [["Cookie", "a=b;c=d"]] })).toEqual({ url: "http://example.com/", headers: [], cookies: [["a", "b"], ["c", "d"]] });
    expect(normalized({ headers: [["Cookie", "a=b;c=d"]], cookies: { foo: "bar" } })).toEqual({ headers: [], cookies: [["foo", "bar"]] });
    expect(normalized({ cookies: " PHPSESSID=298zf09hf012fh2; csrftoken=u32t4o3tb3gg43; _gat=1;" }).cookies).toEqual([
      ["PHPSESSID", "298zf09hf012fh2"],
      ["csrftoken", "u32t4o3tb3gg43"],
      ["_gat", "1"],
    ]);
  });

  it("parses a JSON or url-encoded body and says which it was", () => {
    expect(normalized({ data: '{"foo":"bar"}' })).toEqual({ data: { foo: "bar" }, inferred_content_type: "application/json" });
    expect(normalized({ data: "foo=bar" })).toEqual({ data: { foo: "bar" }, inferred_content_type: "application/x-www-form-urlencoded" });
    expect(normalized({ data: '{"foo":"b', headers: [["Content-Type", "text/plain; encoding=utf-8"]] })).toMatchObject({ data: '{"foo":"b', inferred_content_type: "text/plain" });
    for (const data of ['{"foo":"b', "dGU=", "dA==", '<?xml version="1.0" ?>', "\u001f1\u0000\u0000"]) {
      expect(normalized({ data })).toEqual({ data });
    }
  });

  it("never throws and is stable on a second pass", () => {
    const part = (chars: string, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...Array.from(chars)), maxLength });
    const url = fc
      .tuple(fc.constantFrom("http://", "https://", "", "/"), part("ab.-1%", 10), part("ab/%é", 8), fc.option(part("a=&+%b;?", 12)), fc.option(part("a#?=", 6)))
      .map(([scheme, host, path, query, fragment]) => `${scheme}${host}/${path}${query === null ? "" : `?${query}`}${fragment === null ? "" : `#${fragment}`}`);
    const text = fc.oneof(fc.string(), url);
    const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.array(fc.tuple(text, text), { maxLength: 4 }), fc.dictionary(text, text, { maxKeys: 4 }));
    fc.assert(
      fc.property(fc.record({ url: value, method: value, query_string: value, headers: value, cookies: value, data: value }, { requiredKeys: [] }), (request) => {
        const once = normalized(request);
        // A body that was a JSON string is text again, which a second pass reads afresh (as Relay would).
        fc.pre(!(typeof once.data === "string" && once.inferred_content_type === "application/json"));
        expect(normalized(once)).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });
});

describe("request parts", () => {
  it("parses query strings, cookies and header names", () => {
    expect(parseQueryString("?a=%20b&c")).toEqual([["a", " b"], ["c", ""]]);
    expect(parseCookies("a=%41; b=\"quoted\"")).toEqual([["a", "A"], ["b", "quoted"]]);
    expect(parseCookies("no-equals-sign")).toBeUndefined();
    expect(normalizeHeaderName("x-forwarded-for")).toBe("X-Forwarded-For");
  });
});

describe("normalizeEvent with a request", () => {
  it("normalizes the request and records what it dropped in _meta", () => {
    const result = normalizeEvent({ request: { url: "https://shop.example/cart?password=hunter2&item=3", method: "bad method" } }, { receivedAt: 1_700_000_000_000, generateId: () => "a".repeat(32) });
    if (!result.ok) throw result.error;
    expect(result.value.request).toEqual({ url: "https://shop.example/cart", query_string: [["password", "hunter2"], ["item", "3"]], method: null });
    expect(result.value._meta!.request).toEqual({ method: { "": { err: ["invalid_data"], val: "bad method" } } });
  });
});
