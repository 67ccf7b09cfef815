/**
 * Vectors from the tests of Sentry Relay's `relay-filter` crate, one `describe` per Relay source
 * file and each case named after the Relay test it comes from. Relay's tests call one filter at a
 * time; here each case goes through `checkInboundFilters` with only that filter configured, so a
 * case also checks the outcome reason Relay reports for it.
 */
import { describe, expect, it } from "vitest";
import { parseOriginPattern, matchesAnyOrigin } from "./csp.js";
import { globMatches } from "./glob.js";
import { checkInboundFilters, type FilterSettings } from "./inbound-filters.js";

type Event = Record<string, unknown>;

/** An event whose request carries this User-Agent (under an oddly cased header name, as in Relay's tests). */
const withUserAgent = (userAgent: string): Event => ({ request: { headers: [["UsEr-AgeNT", userAgent]] } });

const check = (event: Event, settings: FilterSettings, clientIp?: string) => checkInboundFilters(event, settings, clientIp);

describe("browser_extensions.rs", () => {
  const on: FilterSettings = { browserExtensions: { isEnabled: true } };
  const off: FilterSettings = { browserExtensions: { isEnabled: false } };
  /** The exception first in the list, followed by two empty ones. */
  const withException = (exception: Event): Event => ({ exception: { values: [exception, {}, {}] } });
  /** A stack whose innermost frames are anonymous, with the source below them. */
  const withSource = (source: string): Event =>
    withException({ stacktrace: { frames: [{ abs_path: source }, { abs_path: "<anonymous>" }, { abs_path: "<anonymous>" }] } });
  const withValue = (value: string): Event => withException({ value });

  it.each([
    ["source", withSource("https://fscr.kaspersky-labs.com/B-9B72-7B7/main.js")],
    ["value", withValue("fb_xd_fragment")],
  ])("test_dont_filter_when_disabled (%s)", (_kind, event) => {
    expect(check(event, off)).toBeUndefined();
    expect(check(event, on)).toBe("browser-extensions");
  });

  it.each([
    "https://graph.facebook.com/",
    "https://connect.facebook.net/en_US/sdk.js",
    "https://eatdifferent.com.woopra-ns.com/main.js",
    "https://static.woopra.com/js/woopra.js",
    "chrome-extension://my-extension/or/something",
    "chrome://my-extension/or/something",
    "moz-extension://my-extension/or/something",
    "safari-extension://my-extension/or/something",
    "safari-web-extension://my-extension/or/something",
    "127.0.0.1:4001/isrunning",
    "webappstoolbarba.texthelp.com/",
    "http://metrics.itunes.apple.com.edgesuite.net/itunespreview/itunes/browser:firefo",
    "https://fscr.kaspersky-labs.com/B-9B72-7B7/main.js",
    "webkit-masked-url:",
  ])("test_filter_known_browser_extension_source: %s", (source) => {
    expect(check(withSource(source), on)).toBe("browser-extensions");
  });

  it.each([
    "what does conduitPage even do",
    "null is not an object (evaluating 'elt.parentNode')",
    "some error on top.GLOBALS",
    "biiig problem on originalCreateNotification",
    "canvas.contentDocument",
    "MyApp_RemoveAllHighlights",
    "http://tt.epicplay.com/not/very/good",
    "Can't find variable: ZiteReader, I wonder why?",
    "jigsaw is not defined and I'm not happy about it",
    "ComboSearch is not defined",
    "http://loading.retry.widdit.com/some/obscure/error",
    "atomicFindClose has messed up",
    "bad news, we have a fb_xd_fragment",
    "oh no! we have a case of: bmi_SafeAddOnload, again !",
    "watch out ! EBCallBackMessageReceived",
    "error _gCrWeb",
    "conduitPage",
    "plugin.setSuspendState is not a function",
    "Extension context invalidated",
    "useless error webkit-masked-url: please filter",
    "TypeError: can't access dead object because dead stuff smells bad",
    "Cannot redefine property: solana",
    "Cannot redefine property: ethereum",
    "Cannot redefine property: googletag",
    "Can't find variable: gmo",
  ])("test_filter_known_browser_extension_values: %s", (value) => {
    expect(check(withValue(value), on)).toBe("browser-extensions");
  });

  it.each([
    ["source", withSource("https://some/resonable/source.js")],
    ["value", withValue("some perfectly reasonable value")],
  ])("test_dont_filter_unkown_browser_extension (%s)", (_kind, event) => {
    expect(check(event, on)).toBeUndefined();
  });
});

describe("client_ips.rs", () => {
  it.each<[string, string[], boolean]>([
    ["1.2.3.4", [], false],
    ["122.33.230.14", ["122.33.230.14"], true],
    ["122.33.230.14", ["112.133.110.33", "122.33.230.14"], true],
    ["aaaa:bbbb::cccc", ["aaaa:bbbb::cccc"], true],
    ["aaaa:bbbb::cccc", ["121.121.12.121", "aaaa:bbbb::cccc"], true],
    ["aaaa:bbbb::ccce", ["aaaa:bbbb::cccc"], false],
    ["122.33.230.1", ["122.33.230.0/30"], true],
    ["122.33.230.2", ["122.33.230.0/30"], true],
    ["122.33.230.4", ["122.33.230.0/30"], false],
    ["122.33.230.5", ["122.33.230.4/30"], true],
    ["a:b:c::1", ["a:b:c::0/126"], true],
    ["a:b:c::2", ["a:b:c::0/126"], true],
    ["a:b:c::4", ["a:b:c::0/126"], false],
    ["a:b:c::5", ["a:b:c::4/126"], true],
    ["127.0.0.1", [], false],
    ["127.0.0.1", ["0.0.0.0", "192.168.1.1", "10.0.0.0/8"], false],
    ["127.0.0.1", ["127.0.0.1"], true],
    ["127.0.0.1", ["0.0.0.0", "127.0.0.1", "192.168.1.1"], true],
    ["127.0.0.1", ["127.0.0.0/8"], true],
    ["127.0.0.1", ["0.0.0.0", "127.0.0.0/8", "192.168.1.0/8"], true],
    ["127.0.0.1", ["lol/bar"], false],
  ])("test_should_filter_blacklisted_ips: %s in %j is %s", (ip, blocked, filtered) => {
    expect(check({}, { clientIps: { blacklistedIps: blocked } }, ip)).toBe(filtered ? "ip-address" : undefined);
  });
});

describe("csp.rs", () => {
  const cspEvent = (blockedUri: string | undefined, sourceFile: string | undefined): Event => ({
    type: "csp",
    csp: { ...(blockedUri === undefined ? {} : { blocked_uri: blockedUri }), ...(sourceFile === undefined ? {} : { source_file: sourceFile }) },
  });
  const knownBad: FilterSettings = { csp: { disallowedSources: ["http://known.bad.com"] } };

  const originParts: [string, string | null, string | null, string | null][] = [
    ["*", null, null, null],
    ["*://*", null, null, null],
    ["*://*:*", null, null, null],
    ["https://*", "https", null, null],
    ["https://*.abc.net", "https", "*.abc.net", null],
    ["https://*:*", "https", null, null],
    ["x.y.z", null, "x.y.z", null],
    ["x.y.z:*", null, "x.y.z", null],
    ["*://x.y.z:*", null, "x.y.z", null],
    ["*://*.x.y.z:*", null, "*.x.y.z", null],
    ["*:8000", null, null, "8000"],
    ["*://*:8000", null, null, "8000"],
    ["http://x.y.z", "http", "x.y.z", null],
    ["http://*:8000", "http", null, "8000"],
    ["abc:8000", null, "abc", "8000"],
    ["*.abc.com:8000", null, "*.abc.com", "8000"],
    ["*.com:86", null, "*.com", "86"],
    ["http://abc.com:86", "http", "abc.com", "86"],
    ["http://x.y.z:4000", "http", "x.y.z", "4000"],
  ];
  it.each(originParts.map(([url, ...parts]) => ({ url, parts })))("test_scheme_domain_port: $url", ({ url, parts }) => {
    const parsed = parseOriginPattern(url);
    expect([parsed.scheme ?? null, parsed.domain ?? null, parsed.port ?? null]).toEqual(parts);
  });

  it.each<[string, string[], boolean]>([
    ["http://abc1.com", ["*://*:*", "bbc.com"], true],
    ["http://abc2.com", ["*:*", "bbc.com"], true],
    ["http://abc3.com", ["*", "bbc.com"], true],
    ["http://abc4.com", ["http://*", "bbc.com"], true],
    ["http://abc5.com", ["http://abc5.com:*", "bbc.com"], true],
    ["http://abc.com:80", ["*://*:*", "bbc.com"], true],
    ["http://abc.com:81", ["*:*", "bbc.com"], true],
    ["http://abc.com:82", ["*:82", "bbc.com"], true],
    ["http://abc.com:83", ["http://*:83", "bbc.com"], true],
    ["http://abc.com:84", ["abc.com:*", "bbc.com"], true],
    ["http://abc.com:85", ["*.abc.com:85", "bbc.com"], true],
    ["http://abc.com:86", ["*.com:86"], true],
    ["http://abc.com:86", ["*.com:86", "bbc.com"], true],
    ["http://abc.def.ghc.com:87", ["*.com:87"], true],
    ["http://abc.def.ghc.com:88", ["*.ghc.com:88"], true],
    ["http://abc.def.ghc.com:89", ["*.def.ghc.com:89"], true],
    ["http://abc.com:90", ["abc.com", "bbc.com"], true],
    ["http://abc.com:91", ["abc.com:91", "bbc.com"], true],
    ["http://abc.com:92", ["http://abc.com:92"], true],
    ["http://abc.com:93", ["http://abc.com", "bbc.com"], true],
    ["http://abc6.com", ["abc6.com", "bbc.com"], true],
    ["http://abc7.com", ["bbc.com", "abc7.com"], true],
    ["http://abc8.com", ["bbc.com", "abc8.com", "def"], true],
    ["http://abc9.com", ["http://other.com", "bbc.com"], false],
    ["http://abc10.com", ["http://*.other.com", "bbc"], false],
    ["abc11.com", ["*.other.com", "bbc"], false],
    ["https://abc12.com", ["http://abc12.com", "bbc.com"], false],
    ["http://abc13.com:80", ["http://abc13.com:8080", "bbc.com"], false],
  ])("test_matches_any_origin: %s against %j is %s", (url, origins, expected) => {
    expect(matchesAnyOrigin(url, origins.map(parseOriginPattern))).toBe(expected);
    expect(check(cspEvent(url, undefined), { csp: { disallowedSources: origins } })).toBe(expected ? "invalid-csp" : undefined);
  });

  it("test_filters_known_blocked_source_files", () => {
    expect(check(cspEvent(undefined, "http://known.bad.com"), knownBad)).toBe("invalid-csp");
  });

  it("test_does_not_filter_benign_source_files", () => {
    expect(check(cspEvent(undefined, "http://good.file.com"), knownBad)).toBeUndefined();
  });

  it("test_filters_known_blocked_uris", () => {
    expect(check(cspEvent("http://known.bad.com", undefined), knownBad)).toBe("invalid-csp");
  });

  it("test_does_not_filter_benign_uris", () => {
    expect(check(cspEvent("http://good.file.com", undefined), knownBad)).toBeUndefined();
  });

  it("test_does_not_filter_non_csp_messages", () => {
    expect(check({ ...cspEvent("http://known.bad.com", undefined), type: "transaction" }, knownBad)).toBeUndefined();
  });

  const sentrySources: FilterSettings = {
    csp: {
      disallowedSources: ["about", "ms-browser-extension", "*.superfish.com", "chrome://*", "chrome-extension://*", "chromeinvokeimmediate://*", "chromenull://*", "localhost"],
    },
  };

  it.each<[string | undefined, string | undefined]>([
    ["about", undefined],
    ["ms-browser-extension", undefined],
    ["http://foo.superfish.com", undefined],
    [undefined, "chrome-extension://fdsa"],
    [undefined, "http://localhost:8000"],
    [undefined, "http://localhost"],
    [undefined, "http://foo.superfish.com"],
  ])("test_sentry_csp_filter_compatibility_bad_reports: blocked %s, source %s", (blockedUri, sourceFile) => {
    expect(check(cspEvent(blockedUri, sourceFile), sentrySources)).toBe("invalid-csp");
  });

  it.each<[string | undefined, string | undefined]>([
    ["http://example.com", undefined],
    [undefined, "http://example.com"],
    [undefined, undefined],
  ])("test_sentry_csp_filter_compatibility_good_reports: blocked %s, source %s", (blockedUri, sourceFile) => {
    expect(check(cspEvent(blockedUri, sourceFile), sentrySources)).toBeUndefined();
  });
});

describe("error_messages.rs", () => {
  const configs: [string, string[]][] = [
    ["with globs", ["filteredexception*", "*this is a filtered exception.", "", "this is"]],
    ["without globs", ["filteredexception: this is a filtered exception.", "filteredexception", "this is a filtered exception."]],
  ];
  const cases: [string | undefined, string | undefined, string, boolean][] = [
    ["UnfilteredException", undefined, "UnfilteredException", true],
    [undefined, "This is an unfiltered exception.", "This is an unfiltered exception.", true],
    [undefined, undefined, "This is an unfiltered exception.", true],
    [undefined, undefined, "", true],
    ["UnfilteredException", "This is an unfiltered exception.", "UnfilteredException: This is an unfiltered exception.", true],
    ["FilteredException", undefined, "FilteredException", false],
    [undefined, "This is a filtered exception.", "This is a filtered exception.", false],
    [undefined, undefined, "This is a filtered exception.", false],
    ["FilteredException", "This is a filtered exception.", "FilteredException: This is a filtered exception.", false],
    ["OtherException", "This is a random exception.", "FilteredException: This is a filtered exception.", false],
    [undefined, undefined, "FilteredException: This is a filtered exception.", false],
    ["FilteredException", "This is a filtered exception.", "hi this is a legit log message", false],
  ];
  const table = configs.flatMap(([name, patterns]) =>
    cases.map(([type, value, formatted, ingested]) => ({ name, patterns, type, value, formatted, ingested })),
  );

  it.each(table)("test_should_filter_exception ($name): type $type, value $value, log $formatted, ingested $ingested", ({ patterns, type, value, formatted, ingested }) => {
    const exception = { ...(type === undefined ? {} : { type }), ...(value === undefined ? {} : { value }) };
    const event = { exception: { values: [exception] }, logentry: { formatted } };
    expect(check(event, { errorMessages: { patterns } })).toBe(ingested ? undefined : "error-message");
  });

  it("test_filter_hydration_error", () => {
    const event = {
      exception: {
        values: [
          {
            type: "Error",
            value:
              "Minified React error #423; visit https://reactjs.org/docs/error-decoder.html?invariant=423 for the full message or use the non-minified dev environment for full errors and additional helpful warnings.",
          },
        ],
      },
    };
    const patterns = ["*https://reactjs.org/docs/error-decoder.html?invariant={418,419,422,423,425}*"];
    expect(check(event, { errorMessages: { patterns } })).toBe("error-message");
  });

  it.each([
    "Error: Uncaught (in promise): ChunkLoadError: Loading chunk 175 failed.",
    "Uncaught (in promise): ChunkLoadError: Loading chunk 175 failed.",
    "ChunkLoadError: Loading chunk 552 failed.",
  ])("test_filter_chunk_load_error: %s", (formatted) => {
    const patterns = ["ChunkLoadError: Loading chunk *", "*Uncaught *: ChunkLoadError: Loading chunk *"];
    expect(check({ logentry: { formatted } }, { errorMessages: { patterns } })).toBe("error-message");
  });
});

describe("generic.rs", () => {
  const filters = [
    { id: "firstReleases", isEnabled: true, condition: { op: "eq", name: "event.release", value: "1.0" } },
    { id: "helloTransactions", isEnabled: true, condition: { op: "eq", name: "event.transaction", value: "/hello" } },
  ];
  const generic = (version: number, list: unknown[]): FilterSettings => ({ generic: { version, filters: list } });

  it("test_should_filter_match_rules", () => {
    expect(check({ release: "1.0" }, generic(1, filters))).toBe("firstReleases");
    expect(check({ transaction: "/hello" }, generic(1, filters))).toBe("helloTransactions");
  });

  it("test_should_filter_fifo_match_rules", () => {
    expect(check({ release: "1.0", transaction: "/hello" }, generic(1, filters))).toBe("firstReleases");
  });

  it("test_should_filter_match_no_rules", () => {
    expect(check({ transaction: "/world" }, generic(1, filters))).toBeUndefined();
  });

  it("test_should_filter_with_higher_config_version", () => {
    expect(check({ release: "1.0", transaction: "/hello" }, generic(2, filters))).toBeUndefined();
  });

  it("test_project_combined_when_disabled_project_missing_global", () => {
    expect(check({ release: "1.0" }, generic(1, [{ ...filters[0], isEnabled: false }]))).toBeUndefined();
  });

  it("test_project_combined_when_enabled_flag_project_missing_global", () => {
    expect(check({ release: "1.0" }, generic(1, [{ id: "firstReleases", isEnabled: true }]))).toBeUndefined();
  });

  const conditions: [string, unknown, Event, boolean][] = [
    ["eq on a missing field with null", { op: "eq", name: "event.dist", value: null }, {}, true],
    ["eq ignoring case", { op: "eq", name: "event.environment", value: "PROD", options: { ignoreCase: true } }, { environment: "prod" }, true],
    ["eq is case-sensitive by default", { op: "eq", name: "event.environment", value: "PROD" }, { environment: "prod" }, false],
    ["eq with a list", { op: "eq", name: "event.release", value: ["1.0", "2.0"] }, { release: "2.0" }, true],
    ["eq does not compare numbers", { op: "eq", name: "event.contexts.device.battery_level", value: 50 }, { contexts: { device: { battery_level: 50 } } }, false],
    ["gte on a number", { op: "gte", name: "event.contexts.device.battery_level", value: 50 }, { contexts: { device: { battery_level: 50 } } }, true],
    ["glob ignoring case", { op: "glob", name: "event.transaction", value: ["/API/*"] }, { transaction: "/api/users" }, true],
    ["cidr on the user's address", { op: "cidr", name: "event.user.ip_address", value: ["10.0.0.0/8"] }, { user: { ip_address: "10.1.2.3" } }, true],
    ["an empty user id is no user id", { op: "eq", name: "event.user.id", value: null }, { user: { id: "" } }, true],
    ["platform defaults to other", { op: "eq", name: "event.platform", value: "other" }, {}, true],
    ["tags by key", { op: "eq", name: "event.tags.customer", value: "acme" }, { tags: [["customer", "acme"]] }, true],
    ["not", { op: "not", inner: { op: "eq", name: "event.release", value: "1.0" } }, { release: "2.0" }, true],
    ["and of nothing", { op: "and", inner: [] }, {}, true],
    ["or of nothing", { op: "or", inner: [] }, {}, false],
    ["unknown operator", { op: "regex", name: "event.release", value: ".*" }, { release: "1.0" }, false],
    ["unknown field", { op: "eq", name: "event.toString", value: "x" }, {}, false],
  ];
  it.each(conditions.map(([name, condition, event, filtered]) => ({ name, condition, event, filtered })))("relay-protocol conditions: $name", ({ condition, event, filtered }) => {
    expect(check(event, generic(1, [{ id: "custom", isEnabled: true, condition }]))).toBe(filtered ? "custom" : undefined);
  });

  it("test_deserialize_generic_filters: only the first filter of an id counts", () => {
    const duplicated = [{ ...filters[0], isEnabled: false }, filters[0]];
    expect(check({ release: "1.0" }, generic(1, duplicated))).toBeUndefined();
  });
});

describe("legacy_browsers.rs", () => {
  const IE8 = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.0; Trident/4.0)";
  const IE_MOBILE9 = "Mozilla/5.0 (compatible; MSIE 9.0; Windows Phone OS 7.5; Trident/5.0; IEMobile/9.0; NOKIA; Lumia 710)";
  const IE9 = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 7.1; Trident/5.0)";
  const IE10 = "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)";
  const IE11 = "Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko";
  const OPERA_MINI_PRE8 = "Opera/9.80 (J2ME/MIDP; Opera Mini/7.0.32796/59.323; U; fr) Presto/2.12.423 Version/12.16";
  const OPERA_MINI_8 = "Opera/9.80 (J2ME/MIDP; Opera Mini/8.0.35158/36.2534; U; en) Presto/2.12.423 Version/12.16";
  const OPERA_PRE15 = "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/27.0.1453.12 Safari/537.36 OPR/14.0.1116.4";
  const OPERA_15 = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/28.0.1500.45 Safari/537.36 OPR/15.0.1147.61 (Edition Next)";
  const ANDROID_PRE4 = "Mozilla/5.0 (Linux; U; Android 3.2; nl-nl; GT-P6800 Build/HTJ85B) AppleWebKit/534.13 (KHTML, like Gecko) Version/4.0 Safari/534.13";
  const ANDROID_4 = "Mozilla/5.0 (Linux; U; Android 4.1.1; en-gb; Build/KLP) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30";
  const SAFARI_PRE6 = "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 1063; tr-DE) AppleWebKit/533.16 (KHTML like Gecko) Version/5.0 Safari/533.16";
  const SAFARI_6 = "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.17.4; en-GB) AppleWebKit/605.1.5 (KHTML, like Gecko) Version/6.0 Safari/605.1.5";

  // User agents of Sentry's own (Python) filter tests, kept by Relay for compatibility.
  const ANDROID2_S = "Mozilla/5.0 (Linux; U; Android 2.3.5; en-us; HTC Vision Build/GRI40) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1";
  const ANDROID4_S = "Mozilla/5.0 (Linux; Android 4.0.4; Galaxy Nexus Build/IMM76B) AppleWebKit/535.19 (KHTML, like Gecko) Chrome/18.0.1025.133 Mobile Safari/535.19";
  const IE5_S = "Mozilla/4.0 (compatible; MSIE 5.50; Windows NT; SiteKiosk 4.9; SiteCoach 1.0)";
  const IE8_S =
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Win64; x64; Trident/4.0; .NET CLR 2.0.50727; SLCC2; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0; MDDC; Tablet PC 2.0)";
  const IE9_S = "Mozilla/5.0 (Windows; U; MSIE 9.0; WIndows NT 9.0; en-US))";
  const IE_MOBILE9_S = "Mozilla/5.0 (compatible; MSIE 9.0; Windows Phone OS 7.5; Trident/5.0; IEMobile/9.0; NOKIA; Lumia 710)";
  const IE10_S = "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 7.0; InfoPath.3; .NET CLR 3.1.40767; Trident/6.0; en-IN)";
  const IE_MOBILE10_S = "Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; ARM; Touch; NOKIA; Lumia 520)";
  const OPERA11_S = "Opera/9.80 (Windows NT 5.1; U; it) Presto/2.7.62 Version/11.00";
  const OPERA_12_S = "Opera/9.80 (X11; Linux i686; Ubuntu/14.10) Presto/2.12.388 Version/12.16";
  const OPERA_15_S = "Mozilla/5.0 (X11; Linux x86_64; Debian) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/28.0.1500.52 Safari/537.36 OPR/15.0.1147.100";
  const CHROME_S = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36";
  const EDGE_S = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.10136";
  const SAFARI5_S = "Mozilla/5.0 (Windows; U; Windows NT 6.1; zh-HK) AppleWebKit/533.18.1 (KHTML, like Gecko) Version/5.0.2 Safari/533.18.5";
  const SAFARI7_S = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_3) AppleWebKit/537.75.14 (KHTML, like Gecko) Version/7.0.3 Safari/7046A194A";
  const OPERA_MINI8_S = OPERA_MINI_8;
  const OPERA_MINI7_S = OPERA_MINI_PRE8;

  const legacy = (options: string[], isEnabled = true): FilterSettings => ({ legacyBrowsers: { isEnabled, options } });

  it("test_dont_filter_when_disabled", () => {
    expect(check(withUserAgent(IE8), legacy(["default"], false))).toBeUndefined();
    expect(check(withUserAgent(IE8), legacy(["default"]))).toBe("legacy-browsers");
  });

  it("test_regression_legacy_browser_missing_options (config.rs): enabled without options filters nothing", () => {
    expect(check(withUserAgent(IE8), { legacyBrowsers: { isEnabled: true } })).toBeUndefined();
  });

  it.each([IE9, IE_MOBILE9, SAFARI_PRE6, OPERA_PRE15, ANDROID_PRE4, OPERA_MINI_PRE8])("test_filter_default_browsers: %s", (ua) => {
    expect(check(withUserAgent(ua), legacy(["default"]))).toBe("legacy-browsers");
  });

  it.each([IE10, SAFARI_6, OPERA_15, ANDROID_4, OPERA_MINI_8])("test_dont_filter_default_above_minimum_versions: %s", (ua) => {
    expect(check(withUserAgent(ua), legacy(["default"]))).toBeUndefined();
  });

  it.each<[string, string[]]>([
    [IE10, ["android_pre_4", "ie10"]],
    [IE11, ["ie11"]],
    [IE10, ["ie10"]],
    [IE9, ["ie9"]],
    [IE_MOBILE9, ["ie9"]],
    [IE9, ["android_pre_4", "ie9"]],
    [IE8, ["ie_pre_9"]],
    [IE8, ["opera_pre_15", "ie_pre_9"]],
    [OPERA_PRE15, ["opera_pre_15"]],
    [OPERA_PRE15, ["ie10", "opera_pre_15"]],
    [OPERA_MINI_PRE8, ["opera_mini_pre_8"]],
    [OPERA_MINI_PRE8, ["ie10", "opera_mini_pre_8"]],
    [ANDROID_PRE4, ["android_pre_4"]],
    [ANDROID_PRE4, ["ie10", "android_pre_4"]],
    [SAFARI_PRE6, ["safari_pre_6"]],
    [SAFARI_PRE6, ["opera_pre_15", "safari_pre_6"]],
  ])("test_filter_configured_browsers: %s with %j", (ua, options) => {
    expect(check(withUserAgent(ua), legacy(options))).toBe("legacy-browsers");
  });

  it.each<[string, string]>([
    [IE11, "ie10"],
    [IE10, "ie9"],
    [IE10, "ie11"],
    [IE9, "ie_pre_9"],
    [OPERA_15, "opera_pre_15"],
    [OPERA_MINI_8, "opera_mini_pre_8"],
    [ANDROID_4, "android_pre_4"],
    [SAFARI_6, "safari_pre_6"],
  ])("test_dont_filter_unconfigured_browsers: %s with %s", (ua, option) => {
    expect(check(withUserAgent(ua), legacy([option]))).toBeUndefined();
  });

  it.each<[string, string]>([
    [ANDROID2_S, "default"],
    [IE9_S, "default"],
    [IE_MOBILE9_S, "default"],
    [IE5_S, "default"],
    [OPERA11_S, "default"],
    [OPERA_12_S, "default"],
    [OPERA_MINI7_S, "default"],
    [OPERA_12_S, "opera_pre_15"],
    [OPERA_MINI7_S, "opera_mini_pre_8"],
    [OPERA_MINI7_S, "default"],
    [OPERA_MINI7_S, "default"],
    [IE8_S, "ie_pre_9"],
    [IE8_S, "default"],
    [IE9_S, "ie9"],
    [IE_MOBILE9_S, "ie9"],
    [IE10_S, "ie10"],
    [IE_MOBILE10_S, "ie10"],
    [SAFARI5_S, "safari_pre_6"],
    [SAFARI5_S, "default"],
    [ANDROID2_S, "android_pre_4"],
  ])("sentry_compatibility::test_filter_sentry_user_agents: %s with %s", (ua, option) => {
    expect(check(withUserAgent(ua), legacy([option]))).toBe("legacy-browsers");
  });

  it.each([ANDROID4_S, IE10_S, IE_MOBILE10_S, CHROME_S, EDGE_S, OPERA_15_S, OPERA_MINI8_S, IE10_S, IE_MOBILE10_S, SAFARI7_S])(
    "sentry_compatibility::test_dont_filter_sentry_allowed_user_agents: %s",
    (ua) => {
      expect(check(withUserAgent(ua), legacy(["default"]))).toBeUndefined();
    },
  );

  it("unknown options filter nothing and do not stop the known ones", () => {
    expect(check(withUserAgent(IE8), legacy(["ie_pre_8_and_a_half"]))).toBeUndefined();
    expect(check(withUserAgent(IE8), legacy(["ie_pre_8_and_a_half", "ie_pre_9"]))).toBe("legacy-browsers");
  });

  // The per-browser options; their version limits are those Relay applies today (Sentry's
  // settings page names them: IE 11 and lower, Safari 15, Chrome, Firefox and Edge 110, Opera 99,
  // Opera Mini 34, Android 3), and the legacy Edge option covers Edge 12 to 18.
  const chrome = (major: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
  const firefox = (major: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`;
  const edge = (major: number) => `${chrome(major)} Edg/${major}.0.0.0`;
  const opera = (major: number) => `${chrome(major + 14)} OPR/${major}.0.0.0`;
  const safari = (major: number) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${major}.1 Safari/605.1.15`;
  const operaMini = (major: number) => `Opera/9.80 (Android; Opera Mini/${major}.0.2254/119.132; U; id) Presto/2.12.423 Version/12.16`;
  it.each<[string, string, boolean]>([
    ["ie", IE11, true],
    ["ie", IE8, true],
    ["ie", IE_MOBILE10_S, true],
    ["chrome", chrome(110), true],
    ["chrome", chrome(111), false],
    ["firefox", firefox(110), true],
    ["firefox", firefox(111), false],
    ["edge", edge(110), true],
    ["edge", edge(111), false],
    ["edge", EDGE_S, true],
    ["edge_pre_79", EDGE_S, true],
    ["edge_pre_79", edge(79), false],
    ["opera", opera(99), true],
    ["opera", opera(100), false],
    ["opera_mini", operaMini(34), true],
    ["opera_mini", operaMini(35), false],
    ["safari", safari(15), true],
    ["safari", safari(16), false],
    ["safari", "Mozilla/5.0 (iPad; CPU OS 9_3_6 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13G37 Safari/601.1", true],
    ["android", ANDROID_PRE4, true],
    ["android", ANDROID_4, false],
    ["chrome", firefox(50), false],
  ])("per-browser option %s: %s filtered %s", (option, ua, filtered) => {
    expect(check(withUserAgent(ua), legacy([option]))).toBe(filtered ? "legacy-browsers" : undefined);
  });
});

describe("localhost.rs", () => {
  const on: FilterSettings = { localhost: { isEnabled: true } };
  const withIp = (ip: string): Event => ({ user: { ip_address: ip } });
  const withDomain = (domain: string): Event => ({ request: { url: `http://${domain}:8080/` } });
  const withUrl = (url: string): Event => ({ request: { url } });
  const withHeader = (name: string, value: string): Event => ({ request: { headers: [[name, value]] } });

  it.each([withIp("127.0.0.1"), withDomain("localhost")])("test_dont_filter_when_disabled (%j)", (event) => {
    expect(check(event, { localhost: { isEnabled: false } })).toBeUndefined();
    expect(check(event, on)).toBe("localhost");
  });

  it.each(["127.0.0.1", "::1"])("test_filter_local_ip: %s", (ip) => {
    expect(check(withIp(ip), on)).toBe("localhost");
  });

  it.each(["133.12.12.1", "2001:db8:0:0:0:ff00:42:8329"])("test_dont_filter_non_local_ip: %s", (ip) => {
    expect(check(withIp(ip), on)).toBeUndefined();
  });

  it("test_dont_filter_missing_ip_or_domains", () => {
    expect(check({}, on)).toBeUndefined();
  });

  it.each(["127.0.0.1", "localhost", "foo.localhost", "foo.bar.baz.localhost"])("test_filter_local_domains: %s", (domain) => {
    expect(check(withDomain(domain), on)).toBe("localhost");
  });

  it.each(["my.dom.com", "123.123.123.44", "localhost.com", "foolocalhost", "localhostbar", "alocalhostgoesintoabar"])(
    "test_dont_filter_non_local_domains: %s",
    (domain) => {
      expect(check(withDomain(domain), on)).toBeUndefined();
    },
  );

  it("test_filter_file_urls", () => {
    expect(check(withUrl("file:///Users/Maisey/work/squirrelchasers/src/leaderboard.html"), on)).toBe("localhost");
  });

  it("test_dont_filter_non_file_urls", () => {
    expect(check(withUrl("http://www.squirrelchasers.com/leaderboard"), on)).toBeUndefined();
  });

  it.each(["localhost:3000", "127.0.0.1:3000"])("test_filter_forwarded_host_header: %s", (value) => {
    expect(check(withHeader("X-Forwarded-Host", value), on)).toBe("localhost");
  });

  it.each(["localhost:3000", "127.0.0.1:3000"])("test_filter_request_host_header: %s", (value) => {
    expect(check(withHeader("Host", value), on)).toBe("localhost");
  });

  it.each(["127.0.0.1", "::1"])("test_filter_request_forwarded_for_header: %s", (value) => {
    expect(check(withHeader("X-Forwarded-For", value), on)).toBe("localhost");
  });

  it.each(["localhost.sentry.io", "localhost.sentry.io:3000"])("test_filter_request_subdomain_host_header: %s", (value) => {
    expect(check(withHeader("Host", value), on)).toBeUndefined();
  });

  it.each(["localhost.sentry.io", "localhost.sentry.io:3000"])("test_filter_request_subdomain_forwarded_host_header: %s", (value) => {
    expect(check(withHeader("X-Forwarded-Host", value), on)).toBeUndefined();
  });

  it("a Host header counts only when the event has no request URL", () => {
    const event = { request: { url: "https://example.com/", headers: [["Host", "localhost:3000"]] } };
    expect(check(event, on)).toBeUndefined();
  });

  it("an IPv6 loopback host in the URL is not a local domain", () => {
    expect(check(withUrl("http://[::1]:8080/"), on)).toBeUndefined();
  });
});

describe("releases.rs", () => {
  it.each<[string, string[], boolean]>([
    ["1.2.3", ["1.3.0", "1.2.3", "1.3.1"], true],
    ["1.2.3", ["1.3.0", "1.3.1", "1.2.3"], true],
    ["1.2.3", ["1.2.3", "1.3.0", "1.3.1"], true],
    ["1.2.3", ["1.3.0", "1.2.*", "1.3.1"], true],
    ["1.2.3", ["1.3.0", "1.3.*", "1.*"], true],
    ["1.2.3", ["*", "1.3.0", "1.3.*"], true],
    ["1.2.3", ["1.3.0", "1.2.4", "1.3.1"], false],
    ["1.2.3", ["1.4.0", "1.3.*", "3.*"], false],
    ["1.2.3", [], false],
    ["1.2.3", ["1.1.1", "1.1.2", "1.3.1"], false],
    ["1.2.3", ["1.2.3"], true],
    ["1.2.3", ["1.2.*", "1.3.0", "1.3.1"], true],
    ["1.2.3", ["1.3.0", "1.*", "1.3.1"], true],
  ])("test_release_filtering: %s against %j is %s", (release, releases, filtered) => {
    expect(check({ release }, { releases: { releases } })).toBe(filtered ? "release-version" : undefined);
  });
});

describe("transaction_name.rs", () => {
  const patterns = ["*healthcheck*", "*/health"];
  const transaction = (name: string): Event => ({ type: "transaction", transaction: name });
  const on: FilterSettings = { ignoreTransactions: { isEnabled: true, patterns } };

  it.each(["a/b/healthcheck/c", "a_HEALTHCHECK_b", "healthcheck", "/health", "a/HEALTH", "/health", "a/HEALTH"])("test_matches: %s", (name) => {
    expect(check(transaction(name), on)).toBe("filtered-transaction");
  });

  it.each(["bad", "/bad", "a/b/c", "health", "healthz", "/health/", "/healthz/", "/healthx", "/healthzx"])("test_does_not_match: %s", (name) => {
    expect(check(transaction(name), on)).toBeUndefined();
  });

  it("test_does_not_match_missing_transaction", () => {
    expect(check({ type: "transaction" }, on)).toBeUndefined();
  });

  it("test_filters_when_matching", () => {
    expect(check(transaction("/health"), on)).toBe("filtered-transaction");
  });

  it("test_does_not_filter_when_disabled", () => {
    expect(check(transaction("/health"), { ignoreTransactions: { isEnabled: true, patterns: [] } })).toBeUndefined();
  });

  it("test_does_not_filter_when_disabled_with_flag", () => {
    expect(check(transaction("/health"), { ignoreTransactions: { isEnabled: false, patterns } })).toBeUndefined();
  });

  it("test_does_not_filter_when_not_matching", () => {
    expect(check(transaction("/a/b/c"), on)).toBeUndefined();
  });

  it("only transactions have a transaction name to filter (interface.rs)", () => {
    expect(check({ type: "error", transaction: "/health" }, on)).toBeUndefined();
  });
});

describe("web_crawlers.rs", () => {
  const on: FilterSettings = { webCrawlers: { isEnabled: true } };

  it("test_filter_when_disabled", () => {
    expect(check(withUserAgent("Googlebot"), { webCrawlers: { isEnabled: false } })).toBeUndefined();
    expect(check(withUserAgent("Googlebot"), on)).toBe("web-crawlers");
  });

  it.each([
    "Mediapartners-Google",
    "AdsBot-Google",
    "Googlebot",
    "FeedFetcher-Google",
    "Storebot-Google",
    "Mozilla/5.0 (X11; Linux x86_64; Storebot-Google/1.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
    "BingBot",
    "BingPreview",
    "Baiduspider",
    "Slurp",
    "Sogou",
    "facebook",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "facebookcatalog/1.0",
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
    "meta-externalfetcher/1.1",
    "ia_archiver",
    "bots ",
    "bots;",
    "bots)",
    "spider ",
    "spider;",
    "spider)",
    "Calypso AppCrawler",
    "pingdom",
    "lyticsbot",
    "AWS Security Scanner",
    "Mozilla/5.0 (Linux; Android 6.0.1; Calypso AppCrawler Build/MMB30Y; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/53.0.2785.124 Mobile Safari/537.36",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Slack-ImgProxy 0.19 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "AdsBot-Google (+http://www.google.com/adsbot.html)",
    "Mozilla/5.0 (compatible; HubSpot Crawler; web-crawlers@hubspot.com)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "Better Uptime Bot Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.169 Safari/537.36",
    "Mozilla/5.0 (compatible;Cloudflare-Healthchecks/1.0;+https://www.cloudflare.com/; healthcheck-id: 0d1ca23e292c8c14)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36 GTmetrix",
    "Mozilla/5.0 (compatible; BrightEdgeOnCrawl/1.0; +http://www.oncrawl.com)",
    "ELB-HealthChecker/2.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko; compatible; Yeti/1.1; +https://naver.me/spd) Chrome/127.0.0.0 Safari/537.36",
    "Mozilla/5.0; ClaudeBot",
    "Mozilla/5.0; CCBot",
    "; OAI-SearchBot/1.0; +https://openai.com/searchbot",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.1; +https://openai.com/gptbot",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
    "Mozilla/5.0 (Device; OS_version) AppleWebKit/WebKit_version (KHTML, like Gecko)Version/Safari_version [Mobile/Mobile_version] Safari/WebKit_version (Applebot/Applebot_version; +http://www.apple.com/go/applebot)",
    "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
  ])("test_filter_banned_user_agents: %s", (ua) => {
    expect(check(withUserAgent(ua), on)).toBe("web-crawlers");
  });

  it.each([
    "some user agent",
    "IE",
    "ie",
    "opera",
    "safari",
    "APIs-Google (+https://developers.google.com/webmasters/APIs-Google.html)",
    "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36",
    "Slackbot 1.0(+https://api.slack.com/robots)",
    "SentryUptimeBot/1.0 (+http://docs.sentry.io/product/alerts/uptime-monitoring/)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot",
  ])("test_dont_filter_normal_user_agents: %s", (ua) => {
    expect(check(withUserAgent(ua), on)).toBeUndefined();
  });

  it("a generic bot at the very end of the agent", () => {
    expect(check(withUserAgent("my crawling bot"), on)).toBe("web-crawlers");
    expect(check(withUserAgent("robotic arm"), on)).toBeUndefined();
  });
});

// Globs of error messages, releases and transaction names are Relay patterns (`relay-pattern`)
// behind `relay-common`'s `GlobPatterns`, which match ignoring case and never match empty text.
describe("relay-pattern lib.rs (the glob syntax of inbound filters)", () => {
  /** [pattern, text, matches, ignoring case] */
  const cases: [string, string, boolean, boolean?][] = [
    // test_empty
    ["", "", false],
    ["", "foo", false],
    // test_literal, test_literal_case_insensitive
    ["foo", "foo", true],
    ["foo", "fOo", false],
    ["foo", "FOO", false],
    [String.raw`f\{\}o`, "f{}o", true],
    [String.raw`f\}o`, "f}o", true],
    [String.raw`f\{o`, "f{o", true],
    [String.raw`f\{b,a,r\}o`, "f{b,a,r}o", true],
    [String.raw`f\\o`, String.raw`f\o`, true],
    ["fඞo", "fඞo", true],
    ["foo", "foo", true, true],
    ["foo", "fOo", true, true],
    ["fOo", "Foo", true, true],
    ["İ", "i\u0307", true, true],
    // test_prefix, test_prefix_case_insensitive
    ["foo*", "foo___", true],
    ["foo*", "foo", true],
    ["foo**", "foo", true],
    ["foo*?*", "foo", false],
    ["foo*?*", "foo_", true],
    ["foo*?*?", "foo_____", true],
    ["foo*?*?", "foo", false],
    ["foo*?*?", "foo__", true],
    ["foo*", "fooඞ", true],
    ["ඞ*", "ඞfoo", true],
    ["foo*", "___", false],
    ["foo*", "fo", false],
    ["foo*", "fob", false],
    ["foo*", "boo", false],
    ["foo*", "Foo", false],
    ["foo*", "FOO___", false],
    ["foo/bar*", "foo/bar___", true],
    ["foo*", "foo/bar___", true],
    ["foo*", "/foo", false],
    ["İ*", "İ", true, true],
    ["İ*", "i\u0307___", true, true],
    ["İ*", "i____", false, true],
    // test_suffix, test_suffix_case_insensitive
    ["*foo", "___foo", true],
    ["*foo", "foo", true],
    ["**foo", "foo", true],
    ["*?*foo", "foo", false],
    ["*?*foo", "_foo", true],
    ["?*?*foo", "foo", false],
    ["?*?*foo", "_foo", false],
    ["?*?*foo", "__foo", true],
    ["*?*?foo", "__foo", true],
    ["*ඞ", "fooඞ", true],
    ["*foo", "bar", false],
    ["*foo", "Foo", false],
    ["*foo", "___FOO", false],
    ["*foo/bar", "___foo/bar", true],
    ["*foo", "foo/", false],
    ["fOo*", "FOO___", true, true],
    ["*İ", "___İ", true, true],
    ["*İ", "___i\u0307", true, true],
    ["*İ", "___i", false, true],
    // test_contains, test_contains_case_insensitive
    ["*foo*", "foo", true],
    ["*foo*", "___foo___", true],
    ["*foo*", "___fo", false],
    ["*foo*", "oo___", false],
    ["*foo*", "fඞo", false],
    ["*foo*", "___fOo___", false],
    ["*foo*", "_/_foo_/_", true],
    ["*f/o*", "_/_f/o_/_", true],
    ["*foo*", "___FOO___", true, true],
    ["*fOo*", "___Foo___", true, true],
    ["*İ*", "___İ___", true, true],
    ["*İ*", "___i\u0307___", true, true],
    ["*İ*", "___i___", false, true],
    // test_wildcard
    ["*", "", true],
    ["*", "\n", true],
    ["*", "\na\nb\nc", true],
    ["*", "ඞfooඞfooඞ", true],
    ["*", "/?/?/", true],
    // test_any, test_any_wildcard
    ["?", "", false],
    ["?", "ඞ", true],
    ["?", "\n", true],
    ["?", "aa", false],
    ["??", "aa", true],
    ["??", "aaa", false],
    ["a?a?a", "abaca", true],
    ["a?a?a", "ab_ca", false],
    ["a?a?a", "aaAaa", false],
    ["???????????x???????????", "??______???x?????_?????", true],
    ["???????????x???????????", "?______???x?????_?????", false],
    ["??*", "a", false],
    ["??*", "ab", true],
    ["*??", "a", false],
    ["*??", "abcde", true],
    ["*?*?*", "a", false],
    ["*?*?*", "ab", true],
    // test_escapes
    [String.raw`f\*o`, "f*o", true],
    [String.raw`f\*o`, String.raw`f\*o`, false],
    [String.raw`f\\*o`, String.raw`f\*o`, true],
    [String.raw`f\\*o`, String.raw`f\___o`, true],
    [String.raw`f\\\*o`, String.raw`f\*o`, true],
    [String.raw`f\[\]o`, "f[]o", true],
    [String.raw`f\[?\]o`, "f[?]o", true],
    [String.raw`f\[a-z\]o`, "f[a-z]o", true],
    [String.raw`f\]o`, "f]o", true],
    [String.raw`\[`, "[", true],
    // test_classes, test_classes_case_insensitive, test_classes_negated(_case_insensitive)
    ["[]", "", false],
    ["[]", "_", false],
    ["[a]", "a", true],
    ["[a]", "[a]", false],
    ["[a]", "A", false],
    ["[ඞa]", "a", true],
    ["x[ab]x", "xbx", true],
    ["x[ab]x", "xBx", false],
    ["x[ab]x", "xaax", false],
    ["[a-c]", "b", true],
    ["[a-c]", "d", false],
    ["[A-z]", "[", true],
    ["[A-z]", "0", false],
    ["[0-9a-bX-ZfF][0-9a-bX-ZfF][0-9a-bX-ZfF][0-9a-bX-ZfF]", "3bYf", true],
    ["[0-9a-bX-ZfF][0-9a-bX-ZfF][0-9a-bX-ZfF][0-9a-bX-ZfF]", "3cYf", false],
    ["[0-9]", "a9", false],
    ["[0-9!]", "!", true],
    ["[0-9][a-b]", "0a", true],
    ["[0-9][a-b]", "a0", false],
    [String.raw`a[\]a\-]b`, "aab", true],
    [String.raw`[\\]`, "\\", true],
    [String.raw`[\]]`, "]", true],
    [String.raw`[\[]`, "[", true],
    [String.raw`[\]]`, "\\", false],
    ["a[X-]b", "a-b", true],
    ["a[X-]b", "aXb", true],
    ["[a]", "A", true, true],
    ["x[ab]x", "xAX", true, true],
    ["x[ab]x", "Xcx", false, true],
    ["[ǧ]", "Ǧ", true, true],
    ["[Ǧ]", "ǧ", true, true],
    ["[!]", "", false],
    ["[!a]", "b", true],
    ["[!a]", "A", true],
    ["[!ab]", "a", false],
    ["x[!ab]x", "xcx", true],
    ["x[!ab]x", "xc", false],
    ["[!a-c]", "ඞ", true],
    [String.raw`[!a-c\\]`, "\\", false],
    [String.raw`[!\]]`, "]", false],
    ["[!!]", "!", false],
    ["[!!]", "a", true],
    ["[!b]", "B", false, true],
    ["[!ab]", "C", true, true],
    // test_alternates, test_alternates_case_insensitive
    ["{foo}", "foo", true],
    ["{foo}", "fOo", false],
    ["{foo,bar}", "bar", true],
    ["{foo,bar}", "fooo", false],
    ["{[fb][oa][or],baz}", "bar", true],
    ["{baz,[fb][oa][or]}", "bor", true],
    ["{baz,[fb][oa][or]}", "fbar", false],
    ["{baz,b[!aA]r}", "bXr", true],
    ["{baz,b[!aA]r}", "bar", false],
    ["a{[a-z],[0-9]}a", "a3a", true],
    ["a{[a-z],[0-9]}a", "aAa", false],
    ["a{[a-z],?}a", "aXa", true],
    [String.raw`a{[a-z],\?}a`, "a?a", true],
    [String.raw`a{[a-z],\?}a`, "aXa", false],
    [String.raw`a{\[\],\{\}}a`, "a{}a", true],
    [String.raw`a{\[\],\{\}}a`, "a[}a", false],
    ["foo/{*.js,*.html}", "foo/bar.html", true],
    ["foo/{*.js,*.html}", "foo/bar.png", false],
    ["{foo,abc}{def,bar}", "abcbar", true],
    ["{foo,abc}{def,bar}", "fooabc", false],
    ["{foo,bar}", "BAR", true, true],
    ["{f[o0-9]o,b[a]r}", "f1o", true, true],
    ["{f[o0-9]o,b[a]r}", "BAR", true, true],
    ["{f[o0-9]o,b[!a]r}", "bAr", false, true],
    // test_complex
    ["*?", "\n", true],
    ["1.18.[!0-4].*", "1.18.5.aBc", true],
    ["1.18.[!0-4].*", "1.18.3.abc", false],
    ["!*!*.md", "!foo!.md", true],
    ["foo*foofoo*foobar", "foofoofooxfoofoobar", true],
    ["foo*fooFOO*fOobar", "fooFoofooXfoofooBAR", true, true],
    [String.raw`/api/0/organizations/\{organization_slug\}/event*`, "/api/0/organizations/{organization_slug}/event/foobar", true],
    [String.raw`/api/0/organizations/\{organization_slug\}/event*`, String.raw`/api/0/organizations/\{organization_slug\}/event/foobar`, false],
    ["*b??{foo,bar,baz,with}*cr{x,y,z,?}zyl[a-z]ng{suffix,pr?*ix}*it?**?uallymatches", "foobarwithacrazylongprefixandanditactuallymatches", true],
    ["*b??{foo,bar,baz,with}*cr{x,y,z,?}zyl[a-z]ng{suffix,pr?*ix}*it?**?uallymatches", "FOOBARWITHACRAZYLONGPREFIXANDANDITACTUALLYMATCHES", true, true],
    // test_kirk_j_krauss (a selection)
    ["ab*d", "abc", false],
    ["*issip*ss*", "mississipissippi", true],
    ["xxxx*zzy*fffff", "xxxx*zzzzzzzzy*f", false],
    ["xxx*zzy*f", "xxxx*zzzzzzzzy*f", true],
    ["*12*23", "a12b12", false],
    ["*12*12*", "a12b12", true],
    ["*a?b", "caaab", true],
    ["a*aar", "a*ar", false],
    ["mi*Sip*", "miSsissippi", false],
    ["?**?*&?", "abc", false],
    ["?**?d?", "abcd", false],
    ["?*b*?*d*?", "abcde", true],
    ["?Lah", "bLaH", false],
    ["*a*b*ba*ca*a*aa*aaa*fa*ga*b*", "abababababababababababababababababababaacacacacacacacadaeafagahaiajakalaaaaaaaaaaaaaaaaaffafagaagggagaaaaaaaab", true],
    ["*a*b*ba*ca*a*x*aaa*fa*ga*b*", "abababababababababababababababababababaacacacacacacacadaeafagahaiajakalaaaaaaaaaaaaaaaaaffafagaagggagaaaaaaaab", false],
    ["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*", "aaaaaaaaaaaaaaaaa", true],
    ["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*", "aaaaaaaaaaaaaaaa", false],
    ["abc*abc*abc*abc*abc", "abc*abcd*abcd*abc*abcd", false],
    ["********a********b********b********", "abc", false],
    ["***a*b*c***", "*abc*", true],
    ["*issip*PI", "mississippi", true, true],
    ["abcabc?abc?abcabc?abc?abc?bc?abc?bc?bcd", "abcabcdabcdabcabcdabcdabcabcdabcabcabcd", true],
    ["?abc?", "?abc?", true],
  ];

  it.each(cases.map(([pattern, text, matches, ignoreCase = false]) => ({ pattern, text, matches, ignoreCase })))(
    "pattern $pattern, text $text: $matches (ignoring case: $ignoreCase)",
    ({ pattern, text, matches, ignoreCase }) => {
      expect(globMatches(pattern, text, ignoreCase)).toBe(matches);
    },
  );

  it.each(["\\", "f\\", "*\\", "[", "[a-z", "[a-z\\", "[[]", "[]]", "]", "[b-a]", "[a-A]", "{a,{b}}", "a}"])(
    "test_invalid: %s matches nothing",
    (pattern) => {
      for (const text of [pattern, "a", "b", "ab", "]", "[", "\\"]) expect(globMatches(pattern, text)).toBe(false);
    },
  );
});

describe("relay-common glob3.rs (GlobPatterns, through the release filter)", () => {
  it.each<[string, string, boolean]>([
    ["", "foo", false],
    ["foo", "foo", true],
    ["foo", "nope", false],
    ["foo*", "foobarblub", true],
    ["*blub", "foobarblub", true],
    ["*bar*", "foobarblub", true],
    ["*foo*", "foo\n", true],
    ["foo*bar", "foo\nbar", true],
    ["foo*\n*bar", "foo \n bar", true],
    ["1.18.[0-4].*", "1.18.4.2153-2aa83397b", true],
    ["1.18.[0-4].*", "1.18.5.2153-2aa83397b", false],
    ["1.18.[!0-4].*", "1.18.4.2153-2aa83397b", false],
    ["1.18.[!0-4].*", "1.18.5.2153-2aa83397b", true],
    ["!1.18.4.*", "1.18.4.2153-2aa83397b", false],
    ["!1.18.4.*", "1.18.5.2153-2aa83397b", false],
    [String.raw`/api/0/organizations/\{organization_slug\}/event*`, "/api/0/organizations/{organization_slug}/event/foobar", true],
    [String.raw`/api/0/organizations/\{organization_slug\}/event*`, String.raw`/api/0/organizations/\{organization_slug\}/event/foobar`, false],
  ])("pattern %j, release %j: %s", (pattern, release, filtered) => {
    expect(check({ release }, { releases: { releases: [pattern] } })).toBe(filtered ? "release-version" : undefined);
  });

  it("test_match_empty: no glob matches an empty text", () => {
    expect(check({ release: "" }, { releases: { releases: ["*", ""] } })).toBeUndefined();
  });
});

describe("lib.rs: the order filters run in, and the outcome each reports (common.rs)", () => {
  // One event that every filter catches; each step turns off the filter that won the step before.
  const everything: Event = {
    type: "transaction",
    transaction: "/health",
    release: "1.2.3",
    user: { ip_address: "127.0.0.1" },
    logentry: { formatted: "Panic" },
    exception: { values: [{ type: "Error", value: "fb_xd_fragment" }] },
    request: { headers: [["User-Agent", "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1) pingdom"]] },
  };
  const steps: [keyof FilterSettings, FilterSettings[keyof FilterSettings], string][] = [
    ["generic", { version: 1, filters: [{ id: "hydrationError", isEnabled: true, condition: { op: "eq", name: "event.release", value: "1.2.3" } }] }, "hydrationError"],
    ["clientIps", { blacklistedIps: ["127.0.0.1"] }, "ip-address"],
    ["releases", { releases: ["1.2.3"] }, "release-version"],
    ["errorMessages", { patterns: ["Panic"] }, "error-message"],
    ["localhost", { isEnabled: true }, "localhost"],
    ["browserExtensions", { isEnabled: true }, "browser-extensions"],
    ["legacyBrowsers", { isEnabled: true, options: ["ie_pre_9"] }, "legacy-browsers"],
    ["webCrawlers", { isEnabled: true }, "web-crawlers"],
    ["ignoreTransactions", { isEnabled: true, patterns: ["*health*"] }, "filtered-transaction"],
  ];

  it.each(steps.map((_step, index) => [index] as const))("step %i", (index) => {
    const settings = Object.fromEntries(steps.slice(index).map(([key, value]) => [key, value])) as FilterSettings;
    expect(check(everything, settings, "127.0.0.1")).toBe(steps[index]![2]);
  });

  it("CSP sources run before client IPs", () => {
    const report = { type: "csp", csp: { blocked_uri: "http://known.bad.com" } };
    const settings: FilterSettings = { csp: { disallowedSources: ["http://known.bad.com"] }, clientIps: { blacklistedIps: ["127.0.0.1"] } };
    expect(check(report, settings, "127.0.0.1")).toBe("invalid-csp");
  });

  it("test_serialize_full (config.rs): every field of a full filterSettings is read", () => {
    const settings = {
      browserExtensions: { isEnabled: true },
      clientIps: { blacklistedIps: ["127.0.0.1"] },
      webCrawlers: { isEnabled: true },
      csp: { disallowedSources: ["https://*"] },
      errorMessages: { patterns: ["Panic"] },
      legacyBrowsers: { isEnabled: false, options: ["ie9", "edge_pre_79"] },
      localhost: { isEnabled: true },
      releases: { releases: ["1.2.3"] },
      ignoreTransactions: { patterns: ["*health*"], isEnabled: true },
      generic: { version: 1, filters: [{ id: "hydrationError", isEnabled: true, condition: { op: "eq", name: "event.exceptions", value: "HydrationError" } }] },
    } as FilterSettings;
    expect(check({}, settings, "127.0.0.1")).toBe("ip-address");
    expect(check({ type: "csp", csp: { blocked_uri: "https://evil.example/x.js" } }, settings)).toBe("invalid-csp");
    expect(check({ type: "csp", csp: { blocked_uri: "http://evil.example/x.js" } }, settings)).toBeUndefined();
    expect(check({ release: "1.2.3" }, settings)).toBe("release-version");
    expect(check({ logentry: { formatted: "panic" } }, settings)).toBe("error-message");
    expect(check({ request: { url: "http://localhost/" } }, settings)).toBe("localhost");
    expect(check({ exception: { values: [{ value: "fb_xd_fragment" }] } }, settings)).toBe("browser-extensions");
    expect(check(withUserAgent("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 7.1; Trident/5.0)"), settings)).toBeUndefined();
    expect(check(withUserAgent("Googlebot"), settings)).toBe("web-crawlers");
    expect(check({ type: "transaction", transaction: "/healthz" }, settings)).toBe("filtered-transaction");
    expect(check({ release: "1.2.4" }, settings, "10.0.0.1")).toBeUndefined();
  });

  it("test_empty_config (config.rs): empty settings filter nothing", () => {
    expect(check(everything, {}, "127.0.0.1")).toBeUndefined();
  });
});
