import { gunzipSync } from "node:zlib";
import { captureHeader, loadSdkCaptures } from "@org/testkit";
import { bench, describe } from "vitest";
import { BodyDecoder, decodeBody } from "../src/body/index.js";
import { EnvelopeParser, parseEnvelope, serializeEnvelope } from "../src/envelope/index.js";

const captures = loadSdkCaptures();
// A real event envelope recorded from @sentry/node 7 (header, item header, event: three lines).
const envelope = captures.find((c) => c.file === "sentry-node-7.120.4__envelope__event.json")!.body;
// A real gzip body recorded from @sentry/node 11, which compresses envelopes above 32 KiB.
const gzipCapture = captures.find((c) => c.file === "sentry-node-11.12.0__envelope__gzip.json")!;
const gzipped = gzipCapture.body;
const inflatedSize = gunzipSync(gzipped).length;
const decoder = new TextDecoder();

function fail(error: Error): never {
  throw error;
}

describe(`parse a real ${envelope.length}-byte event envelope`, () => {
  bench("baseline: JSON.parse of each line of the same bytes", () => {
    for (const line of decoder.decode(envelope).split("\n")) if (line) JSON.parse(line);
  });
  bench("parseEnvelope, then JSON.parse of the event payload", () => {
    const parsed = parseEnvelope(envelope);
    if (!parsed.ok) fail(parsed.error);
    for (const item of parsed.value.items) if (item.headers.type === "event") JSON.parse(decoder.decode(item.payload));
  });
  bench("parseEnvelope alone (framing, headers, validation)", () => {
    if (!parseEnvelope(envelope).ok) fail(new Error("refused"));
  });
  bench("EnvelopeParser fed 256-byte chunks", () => {
    const parser = new EnvelopeParser();
    for (let at = 0; at < envelope.length; at += 256) parser.push(envelope.subarray(at, at + 256));
    if (!parser.end().ok) fail(new Error("refused"));
  });
});

describe(`serialize the same envelope`, () => {
  const parsed = parseEnvelope(envelope);
  if (!parsed.ok) fail(parsed.error);
  const changed = { ...parsed.value, items: parsed.value.items.map((item) => ({ headers: { ...item.headers, extra: 1 }, payload: item.payload })) };
  bench("baseline: Buffer.concat of the three lines", () => {
    Buffer.concat([envelope.subarray(0, 10), envelope.subarray(10, 20), envelope.subarray(20)]);
  });
  bench("serializeEnvelope, unchanged (raw headers reused)", () => {
    serializeEnvelope(parsed.value);
  });
  bench("serializeEnvelope, item headers changed", () => {
    serializeEnvelope(changed);
  });
});

describe(`decode a real ${gzipped.length}-byte gzip body (${inflatedSize} bytes inflated)`, () => {
  const contentEncoding = captureHeader(gzipCapture, "content-encoding");
  bench("baseline: zlib.gunzipSync", () => {
    gunzipSync(gzipped);
  });
  bench("decodeBody (pako, bounded)", () => {
    const decoded = decodeBody(gzipped, { contentEncoding, maxSize: 1024 * 1024 });
    if (!decoded.ok) fail(decoded.error);
  });
  bench("BodyDecoder fed 1 KiB chunks", () => {
    const created = BodyDecoder.create({ contentEncoding, maxSize: 1024 * 1024 });
    if (!created.ok) fail(created.error);
    for (let at = 0; at < gzipped.length; at += 1024) created.value.push(gzipped.subarray(at, at + 1024));
    if (!created.value.end().ok) fail(new Error("refused"));
  });
});
