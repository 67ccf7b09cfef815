import { parseJsonObject } from "@org/protocol/body";
import type { ItemHeaders } from "@org/protocol/envelope";
import { err, ok, type Result } from "@org/protocol/result";
import { CHECK_IN_SCHEMA, EVENT_SCHEMA, LOG_SCHEMA, REPLAY_SCHEMA, SPAN_SCHEMA, SPAN_V2_SCHEMA, USER_REPORT_SCHEMA } from "./item-schema.js";
import { scrubGraphql } from "./graphql.js";
import { scrubValue, type ScrubPlan, type ScrubValueOptions } from "./pii-processor.js";
import type { Redaction } from "./pii-rule.js";
import { charCount, hashValue, type ReplaceBehavior } from "./redaction.js";
import type { PathState } from "./selector.js";
import { VT } from "./value-type.js";

/** An item whose payload could not be read, so it could not be scrubbed. */
export interface ScrubItemError {
  readonly code: "invalid_item";
  readonly message: string;
}

/** The content type of span v2 containers. */
export const SPAN_V2_CONTENT_TYPE = "application/vnd.sentry.items.span.v2+json";

const EVENT_SCRUB: ScrubValueOptions = { schema: EVENT_SCHEMA };
const SPAN_SCRUB: ScrubValueOptions = { schema: SPAN_SCHEMA, rootState: true };
const LOG_SCRUB: ScrubValueOptions = { schema: LOG_SCHEMA, rootState: true };
const SPAN_V2_SCRUB: ScrubValueOptions = { schema: SPAN_V2_SCHEMA, rootState: true };

const JSON_ITEMS: Readonly<Record<string, ScrubValueOptions>> = {
  event: { schema: EVENT_SCHEMA, rootState: false },
  transaction: { schema: EVENT_SCHEMA, rootState: false },
  feedback: { schema: EVENT_SCHEMA, rootState: false },
  user_report: { schema: USER_REPORT_SCHEMA, rootState: false },
  check_in: { schema: CHECK_IN_SCHEMA, rootState: false },
  replay_event: { schema: REPLAY_SCHEMA, rootState: false },
};

/** Minidumps are scrubbed by Relay with a minidump parser, which this relay does not have; they pass as they are. */
const ATTACHMENTS_SKIPPED = new Set(["event.minidump"]);
const encoder = new TextEncoder();

/** Whether items of this type carry data the scrubber goes through. */
export function isScrubbedItemType(type: string): boolean {
  return Object.hasOwn(JSON_ITEMS, type) || type === "log" || type === "span" || type === "attachment";
}

/**
 * Scrubs an event-shaped object (event, transaction, feedback) in place; returns how many values
 * changed. A legacy top-level `message` that normalization mirrored into `logentry.formatted` is
 * Relay's `logentry` (its legacy alias), so it is scrubbed as that field and written back.
 */
export function scrubEventInPlace(event: Record<string, unknown>, plan: ScrubPlan): number {
  const filtered = plan.scrubGraphql === true ? scrubGraphql(event) : 0;
  const logentry: unknown = event.logentry;
  const mirrored = typeof event.message === "string" && typeof logentry === "object" && logentry !== null && (logentry as Record<string, unknown>).formatted === event.message;
  if (!mirrored) return filtered + scrubValue(event, plan, EVENT_SCRUB);
  const message = event.message;
  delete event.message;
  const changes = filtered + scrubValue(event, plan, EVENT_SCRUB);
  const formatted = (logentry as Record<string, unknown>).formatted;
  event.message = typeof formatted === "string" ? formatted : message;
  const meta = event._meta as { logentry?: { formatted?: unknown } } | undefined;
  if (meta?.logentry?.formatted !== undefined) (meta as Record<string, unknown>).message = meta.logentry.formatted;
  return changes;
}

/** Scrubs each record of a container item, each with its root as a step of the path. */
function scrubContainer(json: Record<string, unknown>, plan: ScrubPlan, records: ScrubValueOptions): Result<number, ScrubItemError> {
  const items = json.items;
  if (!Array.isArray(items)) return err({ code: "invalid_item", message: "a container item without an `items` list" });
  let changes = 0;
  for (let i = 0; i < items.length; i++) {
    const entry: unknown = items[i];
    if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) changes += scrubValue(entry as Record<string, unknown>, plan, records);
    // Anything else in a container cannot be read as an item, and is not passed on.
    else items[i] = null;
  }
  return ok(changes);
}

/**
 * Scrubs one envelope item's payload with a project's plan: events, transactions, feedback, user
 * reports, check-ins and replay events as JSON; logs and v2 spans per item of their container; v1
 * spans as one span; attachments as bytes, where `$attachments`/`$binary` rules select them.
 * Returns the new payload, the same one when nothing changed, or an error when it cannot be read.
 */
export function scrubItemPayload(headers: ItemHeaders, payload: Uint8Array, plan: ScrubPlan): Result<Uint8Array, ScrubItemError> {
  if (plan.applications.length === 0 && plan.scrubGraphql !== true) return ok(payload);
  const type = headers.type;
  if (type === "attachment") {
    // As Relay, attachments are scrubbed only for projects with a rule naming one (`$attachments.'file.txt'`).
    if (plan.scrubAttachments !== true) return ok(payload);
    const attachmentType = typeof headers.attachment_type === "string" ? headers.attachment_type : "event.attachment";
    if (ATTACHMENTS_SKIPPED.has(attachmentType)) return ok(payload);
    const filename = typeof headers.filename === "string" ? headers.filename : "";
    return ok(scrubAttachment(filename, payload, plan));
  }
  if (!isScrubbedItemType(type)) return ok(payload);
  const parsed = parseJsonObject(payload);
  if (!parsed.ok) return err({ code: "invalid_item", message: `the ${type} item is not a JSON object` });
  const json = parsed.value;
  let changes: number;
  if (type === "log") {
    const result = scrubContainer(json, plan, LOG_SCRUB);
    if (!result.ok) return result;
    changes = result.value;
  } else if (type === "span") {
    if (headers.content_type === SPAN_V2_CONTENT_TYPE || Array.isArray(json.items)) {
      const result = scrubContainer(json, plan, SPAN_V2_SCRUB);
      if (!result.ok) return result;
      changes = result.value;
    } else changes = scrubValue(json, plan, SPAN_SCRUB);
  } else {
    const scrub = JSON_ITEMS[type]!;
    changes = scrub.schema === EVENT_SCHEMA ? scrubEventInPlace(json, plan) : scrubValue(json, plan, scrub);
  }
  return ok(changes === 0 ? payload : encoder.encode(JSON.stringify(json)));
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** Writes `replacement` over `data[start, end)` without changing the length: truncated, or padded with `*`. */
function overwrite(data: Uint8Array, replacement: Uint8Array | undefined, [start, end]: readonly [number, number]): void {
  const length = end - start;
  const copied = replacement ? Math.min(replacement.length, length) : 0;
  if (replacement && copied > 0) data.set(replacement.subarray(0, copied), start);
  data.fill(0x2a, start + copied, end);
}

type Range = readonly [start: number, end: number];

const STAR_UTF16 = [0x2a, 0x00] as const;
/** Shorter runs of UTF-16 text in binary data are not scrubbed, as in Relay. */
const MIN_UTF16_CHARS = 5;

/** Redacts `data[start, end)` of UTF-8 (or other single-byte) text in place, keeping its length. */
function redactBytes(data: Uint8Array, redaction: Redaction, [start, end]: Range): void {
  if (redaction.method === "replace") overwrite(data, encoder.encode(redaction.text), [start, end]);
  else if (redaction.method === "hash") overwrite(data, encoder.encode(hashValue(data.subarray(start, end))), [start, end]);
  else overwrite(data, undefined, [start, end]);
}

/** Redacts `data[start, end)` of UTF-16LE text in place, keeping its length: `*` fills, replacements cut at a whole character. */
function redactUtf16(data: Uint8Array, redaction: Redaction, [start, end]: Range): void {
  let text: string | undefined;
  if (redaction.method === "replace") text = redaction.text;
  else if (redaction.method === "hash") text = hashValue(data.subarray(start, end));
  let offset = start;
  if (text !== undefined) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const width = code >= 0xd800 && code <= 0xdbff ? 4 : 2;
      if (end - offset < width) break;
      data[offset] = code & 0xff;
      data[offset + 1] = code >> 8;
      offset += 2;
    }
  }
  for (; offset + 1 < end; offset += 2) [data[offset], data[offset + 1]] = STAR_UTF16;
}

/** The runs of valid UTF-16LE text in `data[start, end)` of at least five characters, decoded, with their byte offsets. */
function* utf16Segments(data: Uint8Array, start: number, end: number): Generator<{ readonly offset: number; readonly text: string }> {
  let offset = start;
  while (offset < end) {
    let position = offset;
    let text = "";
    let next = end;
    for (;;) {
      if (position + 1 >= end) break;
      const unit = data[position]! | (data[position + 1]! << 8);
      if (unit < 0xd800 || unit > 0xdfff) {
        text += String.fromCharCode(unit);
        position += 2;
        continue;
      }
      if (unit <= 0xdbff && position + 3 < end) {
        const low = data[position + 2]! | (data[position + 3]! << 8);
        if (low >= 0xdc00 && low <= 0xdfff) {
          text += String.fromCharCode(unit, low);
          position += 4;
          continue;
        }
        next = position + 2;
        break;
      }
      // A lone low surrogate is skipped; a high surrogate cut off by the end ends the data.
      if (unit >= 0xdc00) next = position + 2;
      break;
    }
    const run = { offset, text };
    offset = next;
    if (charCount(run.text) >= MIN_UTF16_CHARS) yield run;
  }
}

/** Where a regex's matches (or the groups a behavior names) are in a string, as [start, end) ranges. */
function matchRanges(text: string, regex: RegExp, groups: readonly number[] | undefined): Range[] {
  const ranges: Range[] = [];
  const indexed = new RegExp(regex.source, regex.flags.includes("d") ? regex.flags : `${regex.flags}d`);
  for (const m of text.matchAll(indexed)) {
    if (groups === undefined) {
      ranges.push([m.index, m.index + m[0].length]);
      continue;
    }
    for (const g of groups) {
      const span = m.indices?.[g];
      if (span) ranges.push([span[0], span[1]]);
    }
  }
  return ranges;
}

/** Runs one regex over the bytes as UTF-8, then over the text left between its matches as UTF-16LE. */
function scrubWithRegex(data: Uint8Array, redaction: Redaction, matcher: { readonly regex: RegExp; readonly behavior: ReplaceBehavior }): void {
  const { regex, behavior } = matcher;
  const ranges: Range[] = [];
  const indexed = new RegExp(regex.source, regex.flags.includes("d") ? regex.flags : `${regex.flags}d`);
  for (const m of latin1(data).matchAll(indexed)) {
    for (let g = 0; g < m.length; g++) {
      const span = m.indices?.[g];
      if (!span || span[1] === span[0]) continue;
      if (behavior === "value") {
        ranges.push([0, data.length]);
        break;
      }
      if (behavior.includes(g)) ranges.push([span[0], span[1]]);
    }
  }
  for (const range of ranges) redactBytes(data, redaction, range);
  // Only the text the UTF-8 pass left alone is read as UTF-16, each gap starting on an even offset.
  let previousEnd = 0;
  for (const [start, end] of [...ranges, [data.length, 0] as const]) {
    const from = previousEnd % 2 === 0 ? previousEnd : previousEnd + 1;
    previousEnd = end;
    if (start <= from) continue;
    for (const segment of utf16Segments(data, from, start)) {
      for (const [s, e] of matchRanges(segment.text, regex, behavior === "value" ? undefined : behavior)) {
        redactUtf16(data, redaction, [segment.offset + 2 * s, segment.offset + 2 * e]);
      }
    }
  }
}

/**
 * Scrubs an attachment's bytes as Relay does: only advanced rules whose selector matches
 * `$attachments.<filename>` (a `$binary` value) apply; every regex is run on the bytes, as UTF-8
 * and then as UTF-16LE text, and its matches are redacted in place without changing the length
 * (masked or removed as `*`, replaced or hashed text cut or padded with `*`).
 */
export function scrubAttachment(filename: string, payload: Uint8Array, plan: ScrubPlan): Uint8Array {
  const states: PathState[] = [
    { key: undefined, index: -1, types: 0 },
    { key: "", index: -1, types: VT.attachments },
    { key: filename.toLowerCase(), index: -1, types: VT.binary },
  ];
  let data: Uint8Array | undefined;
  for (const app of plan.applications) {
    // Relay scrubs attachments with a project's advanced rules only, never the converted settings.
    if (app.legacy || !app.matches("true", states)) continue;
    data ??= Uint8Array.from(payload);
    for (const rule of app.rules) {
      if (rule.anything) {
        if (data.length > 0) redactBytes(data, rule.redaction, [0, data.length]);
        continue;
      }
      for (const matcher of rule.matchers) scrubWithRegex(data, rule.redaction, matcher);
    }
  }
  return data ?? payload;
}
