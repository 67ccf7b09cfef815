import { createItem } from "@org/protocol/envelope";
import { describe, expect, it } from "vitest";
import { securityReportItem } from "./security-item.js";

const CSP = JSON.stringify({ "csp-report": { "document-uri": "https://a.example/", "effective-directive": "img-src", "blocked-uri": "https://b.example/x.png" } });

describe("securityReportItem", () => {
  it("makes a security item of the report's event, with release and environment from the item headers", () => {
    const item = createItem("raw_security", CSP, { sentry_release: "1.0", sentry_environment: "staging" });
    const result = securityReportItem(item, { origin: "https://a.example" });
    if (!result.ok) throw new Error(`expected a security item, got ${result.error.reason}`);
    expect(result.value.headers).toEqual({ type: "security", length: result.value.payload.length, content_type: "application/json" });
    expect(Object.keys(result.value.headers)).toEqual(["type", "length", "content_type"]);
    const event = JSON.parse(Buffer.from(result.value.payload).toString("utf8")) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: "csp",
      logentry: { formatted: "Blocked 'image' from 'b.example'" },
      release: "1.0",
      environment: "staging",
      request: { url: "https://a.example/", headers: [["Origin", "https://a.example/"]] },
    });
  });

  it.each([
    ["{", "invalid", "invalid_json"],
    [JSON.stringify({ "expect-staple-report": { hostname: "a.example" } }), "invalid", "security_report_type"],
    [JSON.stringify({ "csp-report": { "effective-directive": "no-such-directive" } }), "invalid", "security_report"],
    [JSON.stringify({ type: "intervention", body: {} }), "filtered", "invalid-csp"],
  ])("drops %s with outcome %s (%s), as Relay does", (payload, kind, reason) => {
    expect(securityReportItem(createItem("raw_security", payload), {})).toEqual({ ok: false, error: { kind, reason } });
  });
});
