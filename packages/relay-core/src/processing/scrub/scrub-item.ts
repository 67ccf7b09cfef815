import { parseJsonObject } from "@org/protocol/body";
import type { ItemHeaders } from "@org/protocol/envelope";
import { err, ok, type Result } from "@org/protocol/result";
import { CHECK_IN_SCHEMA, EVENT_SCHEMA, LOG_SCHEMA, REPLAY_SCHEMA, SPAN_SCHEMA, SPAN_V2_SCHEMA, USER_REPORT_SCHEMA } from "./item-schema.js";
import { scrubGraphql } from "./graphql.js";
import { scrubValue, type ScrubPlan, type ScrubValueOptions } from "./pii-processor.js";
import { hashValue } from "./redaction.js";
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

const ATTACHMENTS_SKIPPED = new Set(["event.minidump", "event.applecrashreport", "unreal.context", "unreal.logs", "event.view_hierarchy"]);
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

/**
 * Scrubs an attachment's bytes as Relay does: only rules whose selector matches
 * `$attachments.<filename>` (a `$binary` value) apply; every regex is run on the bytes and its
 * matches are redacted in place without changing the length (masked or removed as `*`, replaced
 * or hashed text cut or padded with `*`).
 */
export function scrubAttachment(filename: string, payload: Uint8Array, plan: ScrubPlan): Uint8Array {
  const states: PathState[] = [
    { key: "", index: -1, types: VT.attachments },
    { key: filename.toLowerCase(), index: -1, types: VT.binary },
  ];
  let data: Uint8Array | undefined;
  for (const app of plan.applications) {
    if (!app.matches("true", states)) continue;
    data ??= Uint8Array.from(payload);
    for (const rule of app.rules) {
      const redact = (start: number, end: number): void => {
        const method = rule.redaction.method;
        const range = [start, end] as const;
        if (method === "replace") overwrite(data!, encoder.encode(rule.redaction.text), range);
        else if (method === "hash") overwrite(data!, encoder.encode(hashValue(data!.subarray(start, end))), range);
        else overwrite(data!, undefined, range);
      };
      if (rule.anything) {
        if (data.length > 0) redact(0, data.length);
        continue;
      }
      for (const matcher of rule.matchers) {
        const text = latin1(data);
        const regex = matcher.regex;
        regex.lastIndex = 0;
        if (!regex.test(text)) continue;
        if (matcher.behavior === "value") {
          redact(0, data.length);
          continue;
        }
        const groups = matcher.behavior;
        const indexed = new RegExp(regex.source, regex.flags.includes("d") ? regex.flags : `${regex.flags}d`);
        for (const m of text.matchAll(indexed)) {
          for (const g of groups) {
            const span = m.indices?.[g];
            if (span && span[1] > span[0]) redact(span[0], span[1]);
          }
        }
      }
    }
  }
  return data ?? payload;
}
