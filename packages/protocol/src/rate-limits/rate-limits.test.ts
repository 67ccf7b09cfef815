import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DATA_CATEGORIES } from "./data-category.js";
import { formatRateLimits, limitedUntil, limitsFromResponse, parseRateLimits, parseRetryAfter } from "./rate-limits.js";

describe("parseRateLimits", () => {
  it("reads the spec's example", () => {
    expect(parseRateLimits("42::organization:my_limit, 4711:transaction;security:project")).toEqual([
      { retryAfter: 42, categories: [], scope: "organization", reason: "my_limit" },
      { retryAfter: 4711, categories: ["transaction", "security"], scope: "project", reason: undefined },
    ]);
  });

  it("skips invalid entries and maps unknown categories to unknown", () => {
    expect(parseRateLimits("nope, 60:error;telepathy:key, :x:y, 1.5:")).toEqual([
      { retryAfter: 60, categories: ["error", "unknown"], scope: "key", reason: undefined },
      { retryAfter: 2, categories: [], scope: "unknown", reason: undefined },
    ]);
  });

  it("never throws and round-trips what it formats", () => {
    fc.assert(fc.property(fc.string(), (text) => Array.isArray(parseRateLimits(text))));
    const limit = fc.record({
      retryAfter: fc.integer({ min: 0, max: 1e6 }),
      categories: fc.uniqueArray(fc.constantFrom(...DATA_CATEGORIES), { maxLength: 4 }),
      scope: fc.constantFrom("organization" as const, "project" as const, "key" as const, "global" as const),
      reason: fc.option(fc.stringMatching(/^[a-z_]{1,12}$/), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(limit, { maxLength: 4 }), (limits) => JSON.stringify(parseRateLimits(formatRateLimits(limits))) === JSON.stringify(limits)));
  });
});

describe("Retry-After and responses", () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);

  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30);
    expect(parseRetryAfter("whenever", now)).toBeUndefined();
  });

  it("limits everything for 60 s on a bare 429", () => {
    const limits = limitsFromResponse(429, {}, now);
    expect(limitedUntil(limits, "error", now)).toBe(now + 60_000);
    expect(limitedUntil(limits, "error", now + 60_000)).toBeUndefined();
  });

  it("prefers X-Sentry-Rate-Limits, with any status, per category", () => {
    const limits = limitsFromResponse(200, { rateLimits: "10:transaction:project", retryAfter: "99" }, now);
    expect(limitedUntil(limits, "transaction", now)).toBe(now + 10_000);
    expect(limitedUntil(limits, "error", now)).toBeUndefined();
    expect(limitsFromResponse(200, {}, now)).toEqual([]);
  });
});
