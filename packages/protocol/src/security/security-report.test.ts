import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeCspUri, unsplitUri } from "./csp-report.js";
import { backfillSecurityReport, detectSecurityReportType, securityReportToEvent, type SecurityReportEvent } from "./security-report.js";

/** The event of a report that must convert. */
function convert(report: unknown, context = {}): SecurityReportEvent {
  const result = securityReportToEvent(JSON.stringify(report), context);
  if (!result.ok) throw new Error(`expected an event, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The event parts Relay's snapshots show (the converter also sets `type`). */
function withoutType(event: SecurityReportEvent): Record<string, unknown> {
  const { type, ...rest } = event;
  expect(type).toBe("csp");
  return rest;
}

describe("unsplitUri and normalizeCspUri (Relay's test_unsplit_uri, test_normalize_uri)", () => {
  it.each([
    ["", "", ""],
    ["data", "", "data:"],
    ["data", "foo", "data://foo"],
    ["http", "", "http://"],
    ["http", "foo", "http://foo"],
  ])("unsplits scheme %j and host %j into %j", (scheme, host, expected) => {
    expect(unsplitUri(scheme, host)).toBe(expected);
  });

  it.each([
    ["", "'self'"],
    ["self", "'self'"],
    ["data", "data:"],
    ["http", "http://"],
    ["http://notlocalhost/", "notlocalhost"],
    ["https://notlocalhost/", "notlocalhost"],
    ["data://notlocalhost/", "data://notlocalhost"],
    ["http://notlocalhost/lol.css", "notlocalhost"],
    ["http://notlocalhost:8000/", "notlocalhost:8000"],
    ["http://notlocalhost:8000/lol.css", "notlocalhost:8000"],
    ["xyz://notlocalhost/", "xyz://notlocalhost"],
  ])("normalizes %j to %j", (uri, expected) => {
    expect(normalizeCspUri(uri)).toBe(expected);
  });
});

describe("CSP level 2 reports (Relay's snapshot tests)", () => {
  it("test_csp_basic: a string status code becomes a number, the blocked host a tag", () => {
    const event = convert({
      "csp-report": {
        "document-uri": "http://example.com",
        "violated-directive": "style-src cdn.example.com",
        "blocked-uri": "http://example.com/lol.css",
        "effective-directive": "style-src",
        "status-code": "200",
      },
    });
    expect(withoutType(event)).toEqual({
      culprit: "style-src cdn.example.com",
      logentry: { formatted: "Blocked 'style' from 'example.com'" },
      request: { url: "http://example.com" },
      tags: [
        ["effective-directive", "style-src"],
        ["blocked-uri", "http://example.com/lol.css"],
        ["blocked-host", "example.com"],
      ],
      csp: {
        effective_directive: "style-src",
        blocked_uri: "http://example.com/lol.css",
        document_uri: "http://example.com",
        status_code: 200,
        violated_directive: "style-src cdn.example.com",
      },
    });
  });

  it("test_csp_coerce_blocked_uri_if_missing: no blocked-uri is `self`", () => {
    const event = convert({ "csp-report": { "document-uri": "http://example.com", "effective-directive": "script-src" } });
    expect(withoutType(event)).toEqual({
      culprit: "",
      logentry: { formatted: "Blocked unsafe (eval() or inline) 'script'" },
      request: { url: "http://example.com" },
      tags: [
        ["effective-directive", "script-src"],
        ["blocked-uri", "self"],
      ],
      csp: { effective_directive: "script-src", blocked_uri: "self", document_uri: "http://example.com", violated_directive: "" },
    });
  });

  it("test_csp_msdn: the directive comes from violated-directive, the referrer becomes a Referer header", () => {
    const event = convert({
      "csp-report": {
        "document-uri": "https://example.com/foo/bar",
        referrer: "https://www.google.com/",
        "violated-directive": "default-src self",
        "original-policy": "default-src self; report-uri /csp-hotline.php",
        "blocked-uri": "http://evilhackerscripts.com",
      },
    });
    expect(withoutType(event)).toEqual({
      culprit: "default-src self",
      logentry: { formatted: "Blocked 'default-src' from 'evilhackerscripts.com'" },
      request: { url: "https://example.com/foo/bar", headers: [["Referer", "https://www.google.com/"]] },
      tags: [
        ["effective-directive", "default-src"],
        ["blocked-uri", "http://evilhackerscripts.com"],
        ["blocked-host", "evilhackerscripts.com"],
      ],
      csp: {
        effective_directive: "default-src",
        blocked_uri: "http://evilhackerscripts.com",
        document_uri: "https://example.com/foo/bar",
        original_policy: "default-src self; report-uri /csp-hotline.php",
        referrer: "https://www.google.com/",
        violated_directive: "default-src self",
      },
    });
  });

  it("test_csp_real: a report as sentry.io received it, every field kept in Sentry's order", () => {
    const policy =
      "default-src *; script-src 'make_csp_snapshot' 'unsafe-eval' 'unsafe-inline' e90d271df3e973c7.global.ssl.fastly.net cdn.ravenjs.com assets.zendesk.com ajax.googleapis.com ssl.google-analytics.com www.googleadservices.com analytics.twitter.com platform.twitter.com *.pingdom.net js.stripe.com api.stripe.com statuspage-production.s3.amazonaws.com s3.amazonaws.com *.google.com www.gstatic.com aui-cdn.atlassian.com *.atlassian.net *.jira.com *.zopim.com; font-src * data:; connect-src * wss://*.zopim.com; style-src 'make_csp_snapshot' 'unsafe-inline' e90d271df3e973c7.global.ssl.fastly.net s3.amazonaws.com aui-cdn.atlassian.com fonts.googleapis.com; img-src * data: blob:; report-uri https://sentry.io/api/54785/csp-report/?sentry_key=f724a8a027db45f5b21507e7142ff78e&sentry_release=39662eb9734f68e56b7f202260bb706be2f4cee7";
    const referrer = "https://sentry.io/sentry/sentry/releases/7329107476ff14cfa19cf013acd8ce47781bb93a/";
    const sourceFile = "https://e90d271df3e973c7.global.ssl.fastly.net/_static/f0c7c026a4b2a3d2b287ae2d012c9924/sentry/dist/vendor.js";
    const event = convert({
      "csp-report": {
        "document-uri": "https://sentry.io/sentry/csp/issues/88513416/",
        referrer,
        "violated-directive": "script-src",
        "effective-directive": "script-src",
        "original-policy": policy,
        disposition: "enforce",
        "blocked-uri": "http://baddomain.com/test.js?_=1515535030116",
        "line-number": 24,
        "column-number": 66270,
        "source-file": sourceFile,
        "status-code": 0,
        "script-sample": "",
      },
    });
    expect(withoutType(event)).toEqual({
      culprit: "script-src",
      logentry: { formatted: "Blocked 'script' from 'baddomain.com'" },
      request: { url: "https://sentry.io/sentry/csp/issues/88513416/", headers: [["Referer", referrer]] },
      tags: [
        ["effective-directive", "script-src"],
        ["blocked-uri", "http://baddomain.com/test.js?_=1515535030116"],
        ["blocked-host", "baddomain.com"],
      ],
      csp: {
        effective_directive: "script-src",
        blocked_uri: "http://baddomain.com/test.js?_=1515535030116",
        document_uri: "https://sentry.io/sentry/csp/issues/88513416/",
        original_policy: policy,
        referrer,
        status_code: 0,
        violated_directive: "script-src",
        source_file: sourceFile,
        line_number: 24,
        column_number: 66270,
        script_sample: "",
        disposition: "enforce",
      },
    });
    expect(Object.keys(event.csp)).toEqual([
      "effective_directive",
      "blocked_uri",
      "document_uri",
      "original_policy",
      "referrer",
      "status_code",
      "violated_directive",
      "source_file",
      "line_number",
      "column_number",
      "script_sample",
      "disposition",
    ]);
  });

  it("test_csp_sample_alias: `sample` is the script sample", () => {
    const event = convert({
      "csp-report": {
        "document-uri": "http://example.com/foo",
        "violated-directive": "style-src http://cdn.example.com",
        "effective-directive": "style-src",
        sample: 'console.log("lo")',
      },
    });
    expect(event.csp).toEqual({
      effective_directive: "style-src",
      blocked_uri: "self",
      document_uri: "http://example.com/foo",
      violated_directive: "style-src http://cdn.example.com",
      script_sample: 'console.log("lo")',
    });
  });

  it.each([
    ["test_csp_culprit_0", "http://example.com/foo", "style-src http://cdn.example.com", "style-src", "style-src http://cdn.example.com"],
    ["test_csp_culprit_1", "http://example.com/foo", "style-src cdn.example.com", "style-src", "style-src cdn.example.com"],
    ["test_csp_culprit_2", "https://example.com/foo", "style-src cdn.example.com", "style-src", "style-src cdn.example.com"],
    ["test_csp_culprit_3", "http://example.com/foo", "style-src https://cdn.example.com", "style-src", "style-src https://cdn.example.com"],
    ["test_csp_culprit_4", "http://example.com/foo", "style-src http://example.com", "style-src", "style-src 'self'"],
    ["test_csp_culprit_5", "http://example.com/foo", "style-src http://example2.com example.com", "style-src", "style-src http://example2.com 'self'"],
    ["test_csp_culprit_uri_without_scheme", "example.com", "style-src example2.com", undefined, "style-src example2.com"],
  ].map(([name, documentUri, violated, effective, culprit]) => ({ name, documentUri, violated, effective, culprit })))(
    "$name: document $documentUri, violated $violated → culprit $culprit",
    ({ documentUri, violated, effective, culprit }) => {
      const report = { "document-uri": documentUri, "violated-directive": violated, ...(effective === undefined ? {} : { "effective-directive": effective }) };
      expect(convert({ "csp-report": report }).culprit).toBe(culprit);
    },
  );

  it("gives the document's own scheme to a scheme-less source when it is not a web scheme", () => {
    const report = { "document-uri": "chrome-extension://abc/page.html", "violated-directive": "img-src cdn.example.com 'none' data:" };
    expect(convert({ "csp-report": report }).culprit).toBe("img-src chrome-extension://cdn.example.com 'none' data:");
  });

  it("test_csp_tags_stripe: the query of a Stripe API URL stays out of the tag", () => {
    const event = convert({
      "csp-report": { "document-uri": "https://example.com", "blocked-uri": "https://api.stripe.com/v1/tokens?card[number]=xxx", "effective-directive": "script-src" },
    });
    expect(event.tags).toEqual([
      ["effective-directive", "script-src"],
      ["blocked-uri", "https://api.stripe.com/v1/tokens"],
      ["blocked-host", "api.stripe.com"],
    ]);
    expect(event.csp.blocked_uri).toBe("https://api.stripe.com/v1/tokens?card[number]=xxx");
  });

  it.each([
    ["test_csp_get_message_0", "http://example.com/foo", "img-src", "http://google.com/foo", undefined, "Blocked 'image' from 'google.com'"],
    ["test_csp_get_message_1", "http://example.com/foo", "style-src", "", undefined, "Blocked inline 'style'"],
    ["test_csp_get_message_2", "http://example.com/foo", "script-src", "", "script-src 'unsafe-inline'", "Blocked unsafe (eval() or inline) 'script'"],
    ["test_csp_get_message_3", "http://example.com/foo", "script-src", "", "script-src 'unsafe-eval'", "Blocked unsafe (eval() or inline) 'script'"],
    ["test_csp_get_message_4", "http://example.com/foo", "script-src", "", "script-src example.com", "Blocked unsafe (eval() or inline) 'script'"],
    ["test_csp_get_message_5", "http://example.com/foo", "script-src", "data:text/plain;base64,SGVsbG8sIFdvcmxkIQ%3D%3D", undefined, "Blocked 'script' from 'data:'"],
    ["test_csp_get_message_6", "http://example.com/foo", "script-src", "data", undefined, "Blocked 'script' from 'data:'"],
    ["test_csp_get_message_7", "http://example.com/foo", "style-src-elem", "http://fonts.google.com/foo", undefined, "Blocked 'style' from 'fonts.google.com'"],
    ["test_csp_get_message_8", "http://example.com/foo", "script-src-elem", "http://cdn.ajaxapis.com/foo", undefined, "Blocked 'script' from 'cdn.ajaxapis.com'"],
    ["test_csp_get_message_9", "http://notlocalhost:8000/", "style-src", "http://notlocalhost:8000/lol.css", undefined, "Blocked 'style' from 'notlocalhost:8000'"],
  ].map(([name, documentUri, effective, blocked, violated, message]) => ({ name, documentUri, effective, blocked, violated, message })))(
    "$name: $documentUri, $effective blocked $blocked → $message",
    ({ documentUri, effective, blocked, violated, message }) => {
      const report = { "document-uri": documentUri, "effective-directive": effective, "blocked-uri": blocked, ...(violated === undefined ? {} : { "violated-directive": violated }) };
      expect(convert({ "csp-report": report }).logentry.formatted).toBe(message);
    },
  );

  it("test_effective_directive_from_violated_directive_single: Firefox's report without effective-directive", () => {
    expect(convert({ "csp-report": { "violated-directive": "default-src" } }).csp.effective_directive).toBe("default-src");
  });

  it("keeps fields it does not know, sorted by name, after the known ones", () => {
    const event = convert({ "csp-report": { "violated-directive": "img-src", zeta: [1], alpha: { deep: true }, "blocked-uri": "https://a.example/x.png" } });
    expect(Object.keys(event.csp)).toEqual(["effective_directive", "blocked_uri", "violated_directive", "alpha", "zeta"]);
    expect(event.csp.alpha).toEqual({ deep: true });
  });
});

const INLINE = "Blocked unsafe inline 'script'";
const EVAL = "Blocked unsafe eval() 'script'";
const AMBIGUOUS = "Blocked unsafe (eval() or inline) 'script'";
const SCRIPT_SRC_POLICIES = [undefined, "script-src", "script-src 'unsafe-inline'", "script-src 'unsafe-eval'", "script-src 'unsafe-inline' 'unsafe-eval'"];
type Format = "legacy" | "reporting-api";
const FORMATS: readonly Format[] = ["legacy", "reporting-api"];

/** The directive and blocked-URI fields of a report; `undefined` leaves a field out. */
interface ReportFields {
  readonly effective: string | undefined;
  readonly violated: string | undefined;
  readonly blocked: string | undefined;
}

/** A report in either format with the given fields. */
function reportOf(format: Format, { effective, violated, blocked }: ReportFields): unknown {
  const names = format === "legacy" ? ["effective-directive", "violated-directive", "blocked-uri", "document-uri"] : ["effectiveDirective", "violatedDirective", "blockedURL", "documentURL"];
  const body: Record<string, string> = { [names[3]!]: "http://example.com/foo" };
  if (effective !== undefined) body[names[0]!] = effective;
  if (violated !== undefined) body[names[1]!] = violated;
  if (blocked !== undefined) body[names[2]!] = blocked;
  if (format === "legacy") return { "csp-report": body };
  return { type: "csp-violation", age: 0, url: "http://example.com/foo", user_agent: "Mozilla/5.0", body };
}

describe("CSP level 3 markers and the Reporting API format (Relay's table tests)", () => {
  const markerCases = FORMATS.flatMap((format) =>
    (
      [
        ["inline", INLINE],
        ["eval", EVAL],
      ] as const
    ).flatMap(([blocked, message]) => SCRIPT_SRC_POLICIES.map((violated) => ({ format, blocked, violated, message }))),
  );
  it.each(markerCases)("test_csp_script_src_blocked_uri_marker_selects_message: $format, blocked $blocked, violated $violated", ({ format, blocked, violated, message }) => {
    const event = convert(reportOf(format, { effective: "script-src", violated, blocked }));
    expect([event.logentry.formatted, event.csp.blocked_uri, event.csp.effective_directive]).toEqual([message, blocked, "script-src"]);
  });

  const localCases = FORMATS.flatMap((format) => ["", "self", "'self'", undefined].flatMap((blocked) => SCRIPT_SRC_POLICIES.map((violated) => ({ format, blocked, violated }))));
  it.each(localCases)("test_csp_script_src_local_blocked_uri_stays_ambiguous: $format, blocked $blocked, violated $violated", ({ format, blocked, violated }) => {
    const event = convert(reportOf(format, { effective: "script-src", violated, blocked }));
    expect([event.logentry.formatted, event.csp.blocked_uri, event.csp.effective_directive]).toEqual([AMBIGUOUS, blocked ?? "self", "script-src"]);
  });

  // effective, violated, blocked → message, blocked_uri kept, directive
  const fallbackCases: readonly (readonly [string | undefined, string | undefined, string | undefined, string, string, string])[] = [
    [undefined, "script-src 'unsafe-eval'", "inline", INLINE, "inline", "script-src"],
    [undefined, "script-src 'unsafe-inline'", "eval", EVAL, "eval", "script-src"],
    [undefined, "script-src example.com", "", AMBIGUOUS, "", "script-src"],
    [undefined, "script-src 'unsafe-inline' 'unsafe-eval'", undefined, AMBIGUOUS, "self", "script-src"],
    [undefined, "script-src 'unsafe-eval'", "'self'", AMBIGUOUS, "'self'", "script-src"],
    ["not-a-directive", "script-src 'unsafe-inline'", "eval", EVAL, "eval", "script-src"],
    ["script-src 'unsafe-eval'", "script-src 'unsafe-eval'", "inline", INLINE, "inline", "script-src"],
    ["script-src", "script-src 'unsafe-inline'", "https://cdn.example.com/app.js", "Blocked 'script' from 'cdn.example.com'", "https://cdn.example.com/app.js", "script-src"],
    [undefined, "script-src 'unsafe-inline'", "https://cdn.example.com/app.js", "Blocked 'script' from 'cdn.example.com'", "https://cdn.example.com/app.js", "script-src"],
    ["script-src", "script-src", "https://cdn.example.com:8443/app.js", "Blocked 'script' from 'cdn.example.com:8443'", "https://cdn.example.com:8443/app.js", "script-src"],
    ["script-src", "script-src 'unsafe-eval'", "data:text/plain;base64,SGVsbG8sIFdvcmxkIQ%3D%3D", "Blocked 'script' from 'data:'", "data:text/plain;base64,SGVsbG8sIFdvcmxkIQ%3D%3D", "script-src"],
    ["script-src", "script-src", "data", "Blocked 'script' from 'data:'", "data", "script-src"],
    ["script-src", "script-src 'unsafe-eval'", "https://example.com/eval", "Blocked 'script' from 'example.com'", "https://example.com/eval", "script-src"],
    ["script-src", "script-src 'unsafe-inline'", "INLINE", "Blocked 'script' from 'INLINE:'", "INLINE", "script-src"],
    ["script-src", "script-src 'unsafe-eval'", "eval:", "Blocked 'script' from 'eval:'", "eval:", "script-src"],
    ["script-src", "script-src 'unsafe-inline'", "inline ", "Blocked 'script' from 'inline :'", "inline ", "script-src"],
    ["style-src", "style-src 'unsafe-inline'", "", "Blocked inline 'style'", "", "style-src"],
    ["style-src", "style-src 'unsafe-inline'", "inline", "Blocked 'style' from 'inline:'", "inline", "style-src"],
    ["style-src-elem", "style-src-elem", "http://fonts.google.com/foo", "Blocked 'style' from 'fonts.google.com'", "http://fonts.google.com/foo", "style-src-elem"],
    ["style-src-elem", "style-src-elem 'unsafe-inline'", "self", "Blocked 'style' or 'link' element", "self", "style-src-elem"],
    ["style-src-attr", "style-src-attr", "", "Blocked style attribute", "", "style-src-attr"],
    ["script-src-elem", "script-src-elem 'unsafe-inline'", "http://cdn.ajaxapis.com/foo", "Blocked 'script' from 'cdn.ajaxapis.com'", "http://cdn.ajaxapis.com/foo", "script-src-elem"],
    ["script-src-elem", "script-src-elem 'unsafe-inline'", "inline", "Blocked 'script' from 'inline:'", "inline", "script-src-elem"],
    ["script-src-elem", "script-src-elem 'unsafe-inline'", "", "Blocked inline script attribute", "", "script-src-elem"],
    ["script-src-attr", "script-src-attr 'unsafe-eval'", "eval", "Blocked inline script attribute from 'eval:'", "eval", "script-src-attr"],
    ["script-src-attr", "script-src-attr", "'self'", "Blocked unsafe 'script' element", "'self'", "script-src-attr"],
  ];
  const fallbackTable = FORMATS.flatMap((format) =>
    fallbackCases.map(([effective, violated, blocked, message, blockedUri, directive]) => ({ format, effective, violated, blocked, message, blockedUri, directive })),
  );
  it.each(fallbackTable)(
    "test_csp_apply_to_event_script_src_fallback_and_other_directives: $format, effective $effective, violated $violated, blocked $blocked",
    ({ format, message, blockedUri, directive, ...fields }) => {
      const event = convert(reportOf(format, fields));
      expect([event.logentry.formatted, event.csp.blocked_uri, event.csp.effective_directive]).toEqual([message, blockedUri, directive]);
    },
  );

  const noDirective: readonly (readonly [string | undefined, string | undefined, string | undefined])[] = [
    [undefined, undefined, "inline"],
    [undefined, undefined, "eval"],
    [undefined, "", "inline"],
    [undefined, "'unsafe-inline'", "inline"],
    [undefined, "'unsafe-eval'", "eval"],
    ["not-a-directive", undefined, "inline"],
    ["not-a-directive", "also-not", "eval"],
    ["", "", "inline"],
    [undefined, undefined, undefined],
  ];
  const noDirectiveTable = FORMATS.flatMap((format) => noDirective.map(([effective, violated, blocked]) => ({ format, effective, violated, blocked })));
  it.each(noDirectiveTable)("test_csp_apply_to_event_requires_a_known_directive: $format, effective $effective, violated $violated, blocked $blocked", ({ format, ...fields }) => {
    const result = securityReportToEvent(JSON.stringify(reportOf(format, fields)));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("security_report");
      expect(result.error.message).toContain("invalid security report");
    }
  });

  it("reads a Chrome Reporting API report with numbers, its request from documentURL and referrer", () => {
    const event = convert({
      age: 0,
      body: {
        blockedURL: "https://example.com/tst/media/7_del.png",
        disposition: "enforce",
        documentURL: "https://example.com/tst/test_frame.php?ID=229&hash=da964209653e467d337313e51876e27d",
        effectiveDirective: "img-src",
        lineNumber: 9,
        originalPolicy: "default-src 'none'; report-to endpoint-csp;",
        referrer: "https://example.com/test229/",
        sourceFile: "https://example.com/tst/test_frame.php?ID=229&hash=da964209653e467d337313e51876e27d",
        statusCode: 0,
      },
      type: "csp-violation",
      url: "https://example.com/tst/test_frame.php?ID=229&hash=da964209653e467d337313e51876e27d",
      user_agent: "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.88 Safari/537.36",
    });
    expect(event.logentry.formatted).toBe("Blocked 'image' from 'example.com'");
    expect(event.culprit).toBe("");
    expect(event.request).toEqual({
      url: "https://example.com/tst/test_frame.php?ID=229&hash=da964209653e467d337313e51876e27d",
      headers: [["Referer", "https://example.com/test229/"]],
    });
    expect(event.csp).toEqual({
      effective_directive: "img-src",
      blocked_uri: "https://example.com/tst/media/7_del.png",
      document_uri: "https://example.com/tst/test_frame.php?ID=229&hash=da964209653e467d337313e51876e27d",
      original_policy: "default-src 'none'; report-to endpoint-csp;",
      referrer: "https://example.com/test229/",
      status_code: 0,
      violated_directive: "",
      source_file: "https://example.com/tst/test_frame.php?ID=229&hash=da964209653e467d337313e51876e27d",
      line_number: 9,
      disposition: "enforce",
    });
  });
});

const HPKP = {
  "date-time": "2014-04-06T13:00:50Z",
  hostname: "www.example.com",
  port: 443,
  "effective-expiration-date": "2014-05-01T12:40:50Z",
  "include-subdomains": false,
  "served-certificate-chain": ["-----BEGIN CERTIFICATE-----\n MIIEBDCCAuygAwIBAgIDAjppMA0GCSqGSIb3DQEBBQUAMEIxCzAJBgNVBAYTAlVT\n... -----END CERTIFICATE-----"],
  "validated-certificate-chain": ["-----BEGIN CERTIFICATE-----\n MIIEBDCCAuygAwIBAgIDAjppMA0GCSqGSIb3DQEBBQUAMEIxCzAJBgNVBAYTAlVT\n... -----END CERTIFICATE-----"],
  "known-pins": ['pin-sha256="d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM="', 'pin-sha256="E9CZ9INDbd+2eRQozYqqbQ2yXLVKB9+xcprMF+44U1g="'],
};
const EXPECT_CT = {
  "expect-ct-report": {
    "date-time": "2014-04-06T13:00:50Z",
    hostname: "www.example.com",
    port: 443,
    "effective-expiration-date": "2014-05-01T12:40:50Z",
    "served-certificate-chain": ["-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"],
    "validated-certificate-chain": ["-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"],
    scts: [{ version: 1, status: "invalid", source: "embedded", serialized_sct: "ABCD==" }],
  },
};
const EXPECT_STAPLE = {
  "expect-staple-report": {
    "date-time": "2014-04-06T13:00:50Z",
    hostname: "www.example.com",
    port: 443,
    "response-status": "ERROR_RESPONSE",
    "cert-status": "REVOKED",
    "effective-expiration-date": "2014-05-01T12:40:50Z",
    "served-certificate-chain": ["-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"],
    "validated-certificate-chain": ["-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"],
  },
};

describe("detectSecurityReportType (Relay's SecurityReportType::from_json tests)", () => {
  it.each([
    ["test_security_report_type_deserializer_recognizes_csp_reports", { "csp-report": { "document-uri": "https://example.com/foo/bar", "violated-directive": "default-src self" } }, "csp"],
    ["test_security_report_type_deserializer_recognizes_csp_violations_reports", { type: "csp-violation", age: 0, body: { effectiveDirective: "img-src" } }, "csp"],
    ["test_security_report_type_deserializer_rejects_expect_ct_reports", EXPECT_CT, undefined],
    ["test_security_report_type_deserializer_rejects_expect_staple_reports", EXPECT_STAPLE, undefined],
    ["test_security_report_type_deserializer_rejects_hpkp_reports", HPKP, undefined],
    ["another Reporting API type", { type: "deprecation", body: { id: "x" } }, "unsupported"],
    ["a csp-report member wins over another type", { type: "deprecation", "csp-report": {} }, "csp"],
    ["a null csp-report is none", { "csp-report": null }, undefined],
  ])("%s", (_name, report, expected) => {
    expect(detectSecurityReportType(report)).toEqual({ ok: true, value: expected });
  });

  it("refuses a type that is not a string, and a report that is not an object", () => {
    for (const report of [{ type: 5, "csp-report": {} }, "csp-report", 3, null, [1]]) {
      const result = detectSecurityReportType(report);
      expect(result.ok ? result.value : result.error.code).toBe("invalid_json");
    }
  });
});

describe("securityReportToEvent (Relay's event_from_security_report)", () => {
  it.each([
    ["not JSON", "{", "invalid_json"],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0x7d]), "invalid_json"],
    ["a byte order mark", "\ufeff{}", "invalid_json"],
    ["a type that is a number", '{"type":1}', "invalid_json"],
    ["an Expect-CT report", JSON.stringify(EXPECT_CT), "security_report_type"],
    ["an Expect-Staple report", JSON.stringify(EXPECT_STAPLE), "security_report_type"],
    ["an HPKP report", JSON.stringify(HPKP), "security_report_type"],
    ["an empty object", "{}", "security_report_type"],
    ["a deprecation report", '{"type":"deprecation","body":{}}', "unsupported_security_report"],
    ["a csp-violation without body", '{"type":"csp-violation"}', "security_report"],
    ["a csp-report that is a string", '{"csp-report":"x"}', "security_report"],
    ["a blocked-uri that is null", '{"csp-report":{"effective-directive":"img-src","blocked-uri":null}}', "security_report"],
    ["a document-uri that is a number", '{"csp-report":{"effective-directive":"img-src","document-uri":1}}', "security_report"],
    ["a negative line number", '{"csp-report":{"effective-directive":"img-src","line-number":-1}}', "security_report"],
    ["a fractional status code", '{"csp-report":{"effective-directive":"img-src","status-code":1.5}}', "security_report"],
    ["a status code that is not digits", '{"csp-report":{"effective-directive":"img-src","status-code":"2x"}}', "security_report"],
    ["one field under two names", '{"csp-report":{"effective-directive":"img-src","effectiveDirective":"img-src"}}', "security_report"],
  ])("refuses %s with %s", (_name, payload, code) => {
    const result = securityReportToEvent(payload);
    expect(result.ok ? "converted" : result.error.code).toBe(code);
  });

  it("reads null optional fields as absent and digit strings as numbers", () => {
    const event = convert({ "csp-report": { "effective-directive": "img-src", "document-uri": null, "line-number": "+7", "column-number": null } });
    expect(event.csp).toEqual({ effective_directive: "img-src", blocked_uri: "self", violated_directive: "", line_number: 7 });
    expect(event.request).toEqual({});
  });

  it("falls back to the Reporting API body when csp-report cannot be read", () => {
    const event = convert({ "csp-report": "junk", body: { effectiveDirective: "font-src", blockedURL: "https://fonts.example/a.woff" } });
    expect(event.logentry.formatted).toBe("Blocked 'font' from 'fonts.example'");
  });

  it("sets release and environment from the item headers, when they are strings", () => {
    const report = { "csp-report": { "effective-directive": "img-src" } };
    expect(convert(report, { release: "1.2.3", environment: "production" })).toMatchObject({ release: "1.2.3", environment: "production" });
    const event = convert(report, { release: 5, environment: null });
    expect([event.release, event.environment]).toEqual([undefined, undefined]);
  });

  it("adds the request's origin as an Origin header after the Referer, from Referer when Origin is no web URL", () => {
    const report = { "csp-report": { "effective-directive": "img-src", referrer: "https://r.example/" } };
    expect(convert(report, { origin: "https://app.example" }).request.headers).toEqual([
      ["Referer", "https://r.example/"],
      ["Origin", "https://app.example/"],
    ]);
    expect(convert(report, { origin: "null", referer: "https://app.example/page?q=1" }).request.headers).toEqual([
      ["Referer", "https://r.example/"],
      ["Origin", "https://app.example/page?q=1"],
    ]);
    expect(convert(report, { origin: "chrome-extension://x" }).request.headers).toEqual([["Referer", "https://r.example/"]]);
  });

  it("never throws on arbitrary JSON or bytes", () => {
    const report = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ "csp-report": fc.dictionary(fc.constantFrom("blocked-uri", "effective-directive", "violated-directive", "document-uri", "status-code", "line-number", "referrer", "other"), fc.jsonValue({ maxDepth: 1 })) }),
      fc.record({ type: fc.constantFrom("csp-violation", "x"), body: fc.dictionary(fc.constantFrom("blockedURL", "effectiveDirective", "violatedDirective", "documentURL", "statusCode", "sample"), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("https://a.example:8443/x?y#z", "inline", "data:x", "blob:https://b/1"), fc.nat())) }),
    );
    fc.assert(
      fc.property(fc.oneof(report.map((value) => JSON.stringify(value)), fc.uint8Array({ maxLength: 64 })), (payload) => {
        const result = securityReportToEvent(payload, { origin: "https://o.example", release: "r" });
        if (result.ok) {
          expect(result.value.type).toBe("csp");
          expect(typeof result.value.logentry.formatted).toBe("string");
        }
      }),
    );
  });
});

describe("backfillSecurityReport (Relay's test_normalize_security_report)", () => {
  it("sets the client's address, the logger and the user agent with its client hints", () => {
    const event: Record<string, unknown> = { csp: {} };
    const userAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:109.0) Gecko/20100101 Firefox/109.0";
    const hints = { platform: "macOS", platformVersion: "13.2.0", ua: '"Chromium";v="110", "Not A(Brand";v="24", "Google Chrome";v="110"', model: "some model" };
    backfillSecurityReport(event, { clientIp: "213.164.1.114", userAgent, clientHints: hints });
    expect(event).toEqual({
      csp: {},
      logger: "csp",
      user: { ip_address: "213.164.1.114" },
      request: {
        headers: [
          ["User-Agent", userAgent],
          ["SEC-CH-UA-Platform", "macOS"],
          ["SEC-CH-UA-Platform-Version", "13.2.0"],
          ["SEC-CH-UA", hints.ua],
          ["SEC-CH-UA-Model", "some model"],
        ],
      },
    });
  });

  it("keeps a logger and a user agent the event has, and replaces the user's address", () => {
    const event: Record<string, unknown> = { csp: {}, logger: "mine", user: { ip_address: "1.2.3.4", id: "u" }, request: { headers: [["User-Agent", "curl"]] } };
    backfillSecurityReport(event, { clientIp: "10.0.0.1", userAgent: "Firefox" });
    expect(event).toEqual({ csp: {}, logger: "mine", user: { ip_address: "10.0.0.1", id: "u" }, request: { headers: [["User-Agent", "curl"]] } });
  });

  it("leaves events that are no security report alone", () => {
    const event: Record<string, unknown> = { message: "hi" };
    backfillSecurityReport(event, { clientIp: "10.0.0.1", userAgent: "Firefox" });
    expect(event).toEqual({ message: "hi" });
  });
});
