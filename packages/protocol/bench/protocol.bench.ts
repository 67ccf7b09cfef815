import { gunzipSync, gzipSync } from "node:zlib";
import { loadSdkCaptures } from "@org/testkit";
import { bench, describe } from "vitest";
import { decodeBody } from "../src/body/index.js";
import { parseEnvelope } from "../src/envelope/index.js";

const captures = loadSdkCaptures();
// A real 1.3 KB event envelope recorded from @sentry/node 7.
const envelope = captures.find((c) => c.file === "sentry-node-7.120.4__envelope__event.json")!.body;
const envelopeText = envelope.toString("utf8");
const gzipped = gzipSync(Buffer.concat(Array.from({ length: 20 }, () => envelope)));

describe(`parse a ${envelope.length}-byte event envelope`, () => {
  bench("baseline: JSON.parse of each line", () => {
    for (const line of envelopeText.split("\n")) if (line) JSON.parse(line);
  });
  bench("parseEnvelope + JSON.parse of headers and event", () => {
    const parsed = parseEnvelope(envelope);
    if (!parsed.ok) throw parsed.error;
    for (const item of parsed.value.items) if (item.headers.type === "event") JSON.parse(Buffer.from(item.payload).toString("utf8"));
  });
});

describe(`decode a ${gzipped.length}-byte gzip body (${envelope.length * 20} bytes inflated)`, () => {
  bench("baseline: zlib.gunzipSync", () => {
    gunzipSync(gzipped);
  });
  bench("decodeBody (bounded)", () => {
    const decoded = decodeBody(gzipped, { contentEncoding: "gzip", maxSize: 1024 * 1024 });
    if (!decoded.ok) throw decoded.error;
  });
});
