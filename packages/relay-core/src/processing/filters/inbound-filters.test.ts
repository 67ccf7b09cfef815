import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatches } from "./glob.js";
import { checkInboundFilters } from "./inbound-filters.js";
import { networkContains, parseIpAddress, parseIpNetwork } from "./ip-network.js";
import { parseUserAgent } from "@org/protocol/event";

const on = { isEnabled: true };
const ua = (agent: string): Record<string, unknown> => ({ request: { headers: [["User-Agent", agent]] } });

describe("checkInboundFilters", () => {
  it("filters events from localhost", () => {
    expect(checkInboundFilters({ user: { ip_address: "127.0.0.1" } }, { localhost: on }, undefined)).toBe("localhost");
    expect(checkInboundFilters({ request: { url: "http://localhost:3000/x" } }, { localhost: on }, undefined)).toBe("localhost");
    expect(checkInboundFilters({ request: { url: "https://example.com/" } }, { localhost: on }, undefined)).toBeUndefined();
    expect(checkInboundFilters({ user: { ip_address: "127.0.0.1" } }, { localhost: { isEnabled: false } }, undefined)).toBeUndefined();
  });

  it("filters errors raised by browser extensions", () => {
    const fromExtension = { exception: { values: [{ type: "Error", value: "x", stacktrace: { frames: [{ abs_path: "chrome-extension://abc/content.js" }] } }] } };
    expect(checkInboundFilters(fromExtension, { browserExtensions: on }, undefined)).toBe("browser-extensions");
    const knownMessage = { exception: { values: [{ type: "TypeError", value: "top.GLOBALS is undefined" }] } };
    expect(checkInboundFilters(knownMessage, { browserExtensions: on }, undefined)).toBe("browser-extensions");
    const bareList = { exception: [{ type: "TypeError", value: "top.GLOBALS is undefined" }] };
    expect(checkInboundFilters(bareList, { browserExtensions: on }, undefined)).toBe("browser-extensions");
    const ours = { exception: { values: [{ type: "TypeError", value: "x is undefined", stacktrace: { frames: [{ abs_path: "https://app.example/main.js" }] } }] } };
    expect(checkInboundFilters(ours, { browserExtensions: on }, undefined)).toBeUndefined();
  });

  it("filters legacy browsers and crawlers by User-Agent", () => {
    const legacyDefault = { legacyBrowsers: { isEnabled: true, options: ["default"] } };
    expect(checkInboundFilters(ua("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)"), legacyDefault, undefined)).toBe("legacy-browsers");
    // Enabled without any option selected, the legacy-browser filter drops nothing (as in Relay).
    expect(checkInboundFilters(ua("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)"), { legacyBrowsers: on }, undefined)).toBeUndefined();
    expect(checkInboundFilters(ua("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"), legacyDefault, undefined)).toBeUndefined();
    expect(checkInboundFilters(ua("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), { webCrawlers: on }, undefined)).toBe("web-crawlers");
  });

  it("filters by error message and release globs, case-insensitively", () => {
    const event = { release: "app@1.2.3", exception: { values: [{ type: "ConnectionError", value: "timed out\nafter 3 s" }] } };
    expect(checkInboundFilters(event, { errorMessages: { patterns: ["connectionerror: *"] } }, undefined)).toBe("error-message");
    expect(checkInboundFilters({ logentry: { formatted: "Ignore me" } }, { errorMessages: { patterns: ["ignore*"] } }, undefined)).toBe("error-message");
    expect(checkInboundFilters(event, { releases: { releases: ["app@1.*"] } }, undefined)).toBe("release-version");
    expect(checkInboundFilters(event, { releases: { releases: ["app@2.*"] } }, undefined)).toBeUndefined();
  });

  it("filters client addresses and networks", () => {
    const settings = { clientIps: { blacklistedIps: ["10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "not an ip"] } };
    expect(checkInboundFilters({}, settings, "10.20.30.40")).toBe("ip-address");
    expect(checkInboundFilters({}, settings, "192.168.1.7")).toBe("ip-address");
    expect(checkInboundFilters({}, settings, "2001:db8::1")).toBe("ip-address");
    expect(checkInboundFilters({}, settings, "192.168.1.8")).toBeUndefined();
  });

  it("never throws", () => {
    const settings = {
      localhost: on,
      browserExtensions: on,
      legacyBrowsers: { isEnabled: true, options: ["default", "ie11", "chrome", "safari"] },
      webCrawlers: on,
      errorMessages: { patterns: ["*a*"] },
      releases: { releases: ["*"] },
      clientIps: { blacklistedIps: ["10.0.0.0/8"] },
    };
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (event, ip) => {
      checkInboundFilters(event, settings, ip);
      return true;
    }));
  });
});

describe("filter parsers", () => {
  const escapeGlob = (text: string) => text.replace(/[\\*?[\]{},]/g, "\\$&");

  it("a glob never throws, and an escaped text matches itself", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (pattern, text) => {
        globMatches(pattern, text);
        if (text !== "") expect(globMatches(escapeGlob(text), text)).toBe(true);
        return true;
      }),
    );
  });

  it("many stars against a long text that does not match stays cheap", () => {
    const pattern = `${"*a".repeat(200)}*b`;
    expect(globMatches(pattern, "a".repeat(5_000))).toBe(false);
  });

  it("IP networks and user agents never throw on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const network = parseIpNetwork(text);
        const address = parseIpAddress(text);
        if (network && address) expect(networkContains(network, address)).toBe(true);
        expect(typeof parseUserAgent(text).family).toBe("string");
        return true;
      }),
    );
  });
});
