import { captureHeader, loadSdkCaptures } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { extractAuth, verifyLegacySignature } from "../src/auth/index.js";
import { decodeBody, parseJsonObject, unwrapStoreBody } from "../src/body/index.js";
import { itemCategory, parseEnvelope, serializeEnvelope } from "../src/envelope/index.js";
import { normalizeEvent } from "../src/event/index.js";

const MAX = 10 * 1024 * 1024;
const captures = loadSdkCaptures();
const isEnvelope = (path: string): boolean => path.includes("/envelope/") || path.startsWith("/my/tunnel");
const isEventItem = (item: { headers: { type: string } }): boolean => item.headers.type === "event" || item.headers.type === "transaction";

describe("requests recorded from real SDKs", () => {
  it("are all there, events among them", () => {
    expect(captures.length).toBeGreaterThanOrEqual(29);
    const withEvents = captures.filter((capture) => {
      const decoded = decodeBody(capture.body, { contentEncoding: captureHeader(capture, "content-encoding"), maxSize: MAX });
      const envelope = decoded.ok && isEnvelope(capture.path) ? parseEnvelope(decoded.value) : undefined;
      return envelope?.ok === true && envelope.value.items.some(isEventItem);
    });
    expect(withEvents.length).toBeGreaterThan(0);
  });

  describe.each(captures.map((c) => [c.file, c] as const))("%s", (_file, capture) => {
    const [path, query] = capture.path.split("?") as [string, string | undefined];
    const headers = Object.fromEntries(capture.headers.map(([k, v]) => [k.toLowerCase(), v]));

    const decoded = decodeBody(capture.body, { contentEncoding: captureHeader(capture, "content-encoding"), maxSize: MAX });

    it("decodes its body", () => {
      expect(decoded.ok).toBe(true);
    });

    if (isEnvelope(path)) {
      it("parses as an envelope whose items all have a category, and re-serializes byte for byte", () => {
        if (!decoded.ok) throw decoded.error;
        const envelope = parseEnvelope(decoded.value);
        if (!envelope.ok) throw envelope.error;
        expect(envelope.value.items.length).toBeGreaterThan(0);
        for (const item of envelope.value.items) expect(itemCategory(item.headers.type)).toBeTypeOf("string");
        expect(Buffer.from(serializeEnvelope(envelope.value)).equals(Buffer.from(decoded.value))).toBe(true);
      });

      it("authenticates with the recorded key and project", () => {
        if (!decoded.ok) throw decoded.error;
        const envelope = parseEnvelope(decoded.value);
        if (!envelope.ok) throw envelope.error;
        const auth = extractAuth({ headers, query, envelopeDsn: envelope.value.headers.dsn, strictKey: false });
        if (!auth.ok) throw auth.error;
        expect(auth.value.key).toMatch(/^(PUBLIC|[0-9a-f]{32})$/);
      });

      // Only for the captures that carry events: one without any would pass without a check.
      const parsed = decoded.ok ? parseEnvelope(decoded.value) : undefined;
      const events = parsed?.ok ? parsed.value.items.filter(isEventItem) : [];
      if (events.length > 0) {
        it("carries events that normalize", () => {
          for (const item of events) {
            const json = parseJsonObject(item.payload);
            if (!json.ok) throw json.error;
            const event = normalizeEvent(json.value, { receivedAt: Date.now(), generateId: () => "f".repeat(32) });
            if (!event.ok) throw event.error;
            expect(event.value.event_id).toMatch(/^[0-9a-f]{32}$/);
          }
        });
      }
    } else {
      it("holds a store event that normalizes, matching what the capture server decoded", () => {
        if (!decoded.ok) throw decoded.error;
        const json = unwrapStoreBody(decoded.value, MAX);
        if (!json.ok) throw json.error;
        const event = parseJsonObject(json.value);
        if (!event.ok) throw event.error;
        if (capture.decodedText !== undefined) expect(event.value).toEqual(JSON.parse(capture.decodedText));
        const normalized = normalizeEvent(event.value, { receivedAt: Date.now(), generateId: () => "f".repeat(32) });
        if (!normalized.ok) throw normalized.error;
        expect(normalized.value.logentry ?? normalized.value.exception).toBeDefined();
      });

      it("authenticates", () => {
        const auth = extractAuth({ headers, query, strictKey: false });
        if (!auth.ok) throw auth.error;
        expect(auth.value.key.length).toBeGreaterThan(0);
      });
    }
  });

  it("verifies raven 0.4.5's protocol 2.0 HMAC signature with the DSN's secret", () => {
    const capture = captures.find((c) => c.file.startsWith("raven-node-0.4.5"))!;
    const auth = extractAuth({ headers: { "x-sentry-auth": captureHeader(capture, "X-Sentry-Auth") } });
    if (!auth.ok) throw auth.error;
    expect(auth.value.version).toBe(2);
    expect(auth.value.projectId).toBe("42");
    const now = Number(auth.value.rawTimestamp);
    const input = { signature: auth.value.signature, timestamp: auth.value.rawTimestamp, rawBody: capture.body, now };
    expect(verifyLegacySignature({ ...input, secret: "fedcba9876543210fedcba9876543210" })).toEqual({ ok: true, value: true });
    expect(verifyLegacySignature({ ...input, secret: "0".repeat(32) })).toMatchObject({ ok: false, error: { code: "bad_signature" } });
    expect(verifyLegacySignature({ ...input, secret: "fedcba9876543210fedcba9876543210", now: now + 3_600_001 })).toMatchObject({
      ok: false,
      error: { code: "expired_signature" },
    });
  });
});
