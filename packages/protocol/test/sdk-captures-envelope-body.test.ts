import { captureHeader, loadSdkCaptures, type SdkCapture } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { BodyDecoder, decodeBody, parseJsonObject, readSentryData, unwrapStoreBody } from "../src/body/index.js";
import { EnvelopeParser, isKnownItemType, itemCategory, parseEnvelope, serializeEnvelope, type ParsedEnvelope } from "../src/envelope/index.js";

const MAX = 10 * 1024 * 1024;
const captures = loadSdkCaptures();
const isEnvelope = (capture: SdkCapture): boolean => capture.path.includes("/envelope/") || capture.path.startsWith("/my/tunnel");

/** The rate-limit category the spec gives each item type real SDKs sent in the recordings. */
const CATEGORY_OF_RECORDED_TYPES: Readonly<Record<string, string>> = {
  event: "error",
  transaction: "transaction",
  attachment: "attachment",
  session: "session",
  sessions: "session",
  client_report: "internal",
  check_in: "monitor",
  feedback: "feedback",
  span: "span",
};

function decoded(capture: SdkCapture): Uint8Array {
  const result = decodeBody(capture.body, { contentEncoding: captureHeader(capture, "content-encoding"), maxSize: MAX });
  if (!result.ok) throw result.error;
  return result.value;
}

function envelopeOf(capture: SdkCapture): ParsedEnvelope {
  const result = parseEnvelope(decoded(capture));
  if (!result.ok) throw result.error;
  return result.value;
}

/** The capture server's own decoding, when it wrote one down (in full, or its first part). */
function recordedText(capture: SdkCapture): { text: string; whole: boolean } | undefined {
  if (capture.decodedText !== undefined) return { text: capture.decodedText, whole: true };
  const truncated = capture.raw.body_text_decoded_truncated;
  if (typeof truncated === "string") return { text: truncated.slice(0, truncated.indexOf(" …[truncated")), whole: false };
  if (capture.bodyEncoding === "identity") return { text: capture.body.toString("utf8"), whole: true };
  return undefined;
}

describe("requests recorded from real SDKs: bodies and envelopes", () => {
  it("are all there, envelopes and store requests alike", () => {
    expect(captures.length).toBeGreaterThanOrEqual(29);
    expect(captures.filter(isEnvelope).length).toBeGreaterThanOrEqual(20);
    expect(captures.filter((c) => !isEnvelope(c)).length).toBeGreaterThanOrEqual(7);
  });

  it("hold every envelope header attribute the checks below read, so none of those checks is idle", () => {
    const headers = captures.filter(isEnvelope).map((capture) => envelopeOf(capture).headers);
    const having = (name: string): number => headers.filter((header) => header[name] !== undefined && header[name] !== null).length;
    for (const name of ["event_id", "sent_at", "dsn", "sdk"]) expect(having(name), name).toBeGreaterThan(0);
    expect(captures.filter((capture) => capture.path.startsWith("/my/tunnel")).length).toBeGreaterThan(0);
  });

  describe.each(captures.map((c) => [c.file, c] as const))("%s", (_file, capture) => {
    it("decodes its body, in one piece and in small chunks alike", () => {
      const whole = decoded(capture);
      const created = BodyDecoder.create({ contentEncoding: captureHeader(capture, "content-encoding"), maxSize: MAX });
      if (!created.ok) throw created.error;
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < capture.body.length; at += 97) {
        const pushed = created.value.push(capture.body.subarray(at, at + 97));
        if (!pushed.ok) throw pushed.error;
        pieces.push(...pushed.value);
      }
      const end = created.value.end();
      if (!end.ok) throw end.error;
      pieces.push(...end.value);
      expect(Buffer.concat(pieces).equals(Buffer.from(whole))).toBe(true);
      expect(created.value.bytesIn).toBe(capture.body.length);
    });

    if (isEnvelope(capture)) {
      it("parses as an envelope whose items all have a known type and the spec's category", () => {
        const envelope = envelopeOf(capture);
        expect(envelope.items.length).toBeGreaterThan(0);
        for (const item of envelope.items) {
          expect(isKnownItemType(item.headers.type), item.headers.type).toBe(true);
          expect(itemCategory(item.headers.type)).toBe(CATEGORY_OF_RECORDED_TYPES[item.headers.type]);
        }
      });

      it("matches what the capture server decoded", () => {
        const recorded = recordedText(capture);
        expect(recorded).toBeDefined();
        const text = Buffer.from(decoded(capture)).toString("utf8");
        if (recorded?.whole) expect(text).toBe(recorded.text);
        else expect(text.startsWith(recorded!.text)).toBe(true);
      });

      it("serializes back byte for byte, and parses the same in 13-byte chunks", () => {
        const bytes = decoded(capture);
        const envelope = envelopeOf(capture);
        expect(Buffer.from(serializeEnvelope(envelope)).equals(Buffer.from(bytes))).toBe(true);
        const parser = new EnvelopeParser({ maxSize: MAX, maxItems: 100 });
        for (let at = 0; at < bytes.length; at += 13) expect(parser.push(bytes.slice(at, at + 13)).ok).toBe(true);
        const chunked = parser.end();
        if (!chunked.ok) throw chunked.error;
        expect(chunked.value.items.map((item) => [item.headers, Buffer.from(item.payload).toString("hex")])).toEqual(
          envelope.items.map((item) => [item.headers, Buffer.from(item.payload).toString("hex")]),
        );
      });

      it("has a header whose attributes validate", () => {
        const { meta, headers } = envelopeOf(capture);
        // Each attribute is checked whether the header has it or not: present, it is read and
        // valid; absent (or null), the meta has nothing for it either.
        if (headers.event_id === undefined || headers.event_id === null) expect(meta.eventId).toBeUndefined();
        else expect(meta.eventId).toMatch(/^[0-9a-f]{32}$/);
        if (headers.sent_at === undefined || headers.sent_at === null) expect(meta.sentAt).toBeUndefined();
        else expect(meta.sentAt?.getUTCFullYear()).toBe(2026);
        if (headers.dsn === undefined) expect(meta.dsn).toBeUndefined();
        else expect(meta.dsn).toBe(headers.dsn);
        // A tunnel only works when the SDK names the DSN in the header.
        if (capture.path.startsWith("/my/tunnel")) expect(meta.dsn).toMatch(/^http:\/\/[0-9a-f]{32}@/);
        if (headers.sdk === undefined) expect(meta.sdk).toBeUndefined();
        else expect(meta.sdk?.name).toMatch(/^sentry\.javascript\./);
      });
    } else {
      it("holds a store event, the same JSON the capture server decoded", () => {
        const json = unwrapStoreBody(decoded(capture), MAX);
        if (!json.ok) throw json.error;
        const event = parseJsonObject(json.value);
        if (!event.ok) throw event.error;
        const recorded = recordedText(capture);
        expect(recorded?.whole).toBe(true);
        expect(event.value).toEqual(JSON.parse(recorded!.text));
      });
    }
  });

  it("normalizes sentry-cli's dashed and nil event ids", () => {
    const ids = captures.filter((c) => c.file.startsWith("sentry-cli-")).map((c) => [c.file, envelopeOf(c).meta.eventId]);
    expect(Object.fromEntries(ids)).toMatchObject({
      "sentry-cli-3.8.0__send-event__raw-file.json": "0".repeat(32),
      "sentry-cli-3.8.0__send-envelope__parsed.json": "9ec79c33ec9942ab8353589fcb2e04dc",
      "sentry-cli-3.8.0__send-event.json": "993ae1f39fc447db867967402a9c3665",
    });
  });

  it("keeps the BOM and CRLF of sentry-cli's raw attachment in its payload", () => {
    const envelope = envelopeOf(captures.find((c) => c.file === "sentry-cli-3.8.0__send-envelope__raw.json")!);
    const attachment = envelope.items.find((item) => item.headers.type === "attachment")!;
    expect(Buffer.from(attachment.payload).toString("latin1")).toBe("\xEF\xBB\xBFHello\r\n");
  });

  it("reads raven-js's store body when sent as a sentry_data query parameter", () => {
    const capture = captures.find((c) => c.file.startsWith("raven-js-3.27.2"))!;
    const fromQuery = readSentryData(`sentry_version=7&sentry_data=${encodeURIComponent(capture.body.toString("utf8"))}`, MAX);
    if (!fromQuery.ok) throw fromQuery.error;
    expect(JSON.parse(Buffer.from(fromQuery.value).toString("utf8"))).toEqual(JSON.parse(capture.body.toString("utf8")));
  });
});
