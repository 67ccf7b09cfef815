import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readSentryData } from "./sentry-data.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const event = '{"message":"a+b c","extra":{"x":1}}';

describe("readSentryData", () => {
  it.each([
    ["JSON, percent-encoded", `sentry_version=7&sentry_data=${encodeURIComponent(event)}`],
    ["JSON after a question mark", `?sentry_data=${encodeURIComponent(event)}&sentry_key=k`],
    ["base64", `sentry_data=${encodeURIComponent(Buffer.from(event).toString("base64"))}`],
    ["base64 whose + was not encoded", `sentry_data=${Buffer.from(`${event}>>>`).toString("base64")}`],
    ["base64 of zlib", `sentry_data=${encodeURIComponent(deflateSync(event).toString("base64"))}`],
    ["parsed parameters", new URLSearchParams({ sentry_data: event })],
  ])("reads %s", (_name, query) => {
    const result = readSentryData(query, 1024);
    if (!result.ok) throw result.error;
    expect(text(result.value).startsWith(event)).toBe(true);
  });

  it("keeps a + inside JSON", () => {
    const result = readSentryData(`sentry_data=${encodeURIComponent(event)}`, 1024);
    expect(result.ok && JSON.parse(text(result.value))).toEqual({ message: "a+b c", extra: { x: 1 } });
  });

  it.each([
    ["sentry_key=k", "missing_sentry_data"],
    ["sentry_data=", "empty"],
    ["sentry_data=%%%", "invalid_base64"],
    [`sentry_data=${encodeURIComponent(`{"big":"${"x".repeat(2000)}"}`)}`, "too_large"],
  ])("refuses %j with %s", (query, code) => {
    const result = readSentryData(query, 1024);
    expect(result.ok ? "read" : result.error.code).toBe(code);
  });

  it("never throws", () => {
    fc.assert(fc.property(fc.string(), (query) => typeof readSentryData(query, 1024).ok === "boolean"));
    fc.assert(fc.property(fc.string(), (data) => typeof readSentryData(new URLSearchParams({ sentry_data: data }), 1024).ok === "boolean"));
  });
});
