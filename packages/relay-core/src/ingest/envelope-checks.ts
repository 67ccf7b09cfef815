import {
  EVENT_ITEM_TYPES,
  createAttachmentItem,
  createEnvelope,
  createItem,
  createJsonItem,
  itemRecordLimit,
  itemSizeLimit,
  newEventId,
  normalizeEventId,
  parseEnvelope,
  serializeEnvelope,
  type EnvelopeItem,
  type ItemHeaderInit,
  type ItemSizeLimit,
  type ParsedEnvelope,
} from "@org/protocol/envelope";
import { RelayError } from "../relay-error.js";
import type { RelayLimits } from "../relay-options.js";

/** Items accepted in one envelope; more is a client bug or an attack. */
const MAX_ITEMS = 1_000;

/** An envelope as read from a request, with its `dsn` for tunnel authentication. */
export interface IngestEnvelope {
  readonly envelope: ParsedEnvelope;
  readonly bytes: Uint8Array;
  readonly dsn: string | undefined;
}

/** Parses a request's envelope or refuses it (400). */
export function parseIngestEnvelope(bytes: Uint8Array): IngestEnvelope {
  const parsed = parseEnvelope(bytes, { maxItems: MAX_ITEMS });
  if (!parsed.ok) {
    const causes = [parsed.error.message];
    switch (parsed.error.code) {
      case "too_large":
        throw new RelayError("too_large", "the envelope has too many items", { causes });
      case "no_items":
        throw new RelayError("invalid_envelope", "empty envelope", { causes });
      case "duplicate_event_item":
        throw new RelayError("invalid_envelope", "duplicate event item", { causes });
      default:
        throw new RelayError("invalid_envelope", "invalid envelope", { causes });
    }
  }
  const dsn = parsed.value.headers.dsn;
  return { envelope: parsed.value, bytes, dsn: typeof dsn === "string" ? dsn : undefined };
}

/** What the relay learned from checking an envelope. */
export interface CheckedEnvelope {
  /** The bytes to spool. */
  readonly payload: Uint8Array;
  /** The event id, from the header or else the event item. */
  readonly eventId: string | undefined;
  /** Whether the envelope carries an event-like item (its id is the answer's `id`). */
  readonly hasEventLikeItem: boolean;
}

function eventIdOfPayload(payload: Uint8Array): string | undefined {
  try {
    const json: unknown = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
    return typeof json === "object" && json !== null ? normalizeEventId((json as Record<string, unknown>).event_id) : undefined;
  } catch {
    return undefined;
  }
}

function limitOf(limit: ItemSizeLimit, limits: RelayLimits): number | undefined {
  switch (limit) {
    case "event":
      return limits.maxEventSize;
    case "attachment":
      return limits.maxAttachmentSize;
    case "check_in":
      return limits.maxCheckInSize;
    case "log":
      return limits.maxLogSize;
    case "span":
      return limits.maxSpanSize;
    case "container":
      return limits.maxContainerSize;
    case "profile":
      return limits.maxProfileSize;
    case "replay_compressed":
      return limits.maxReplayCompressedSize;
    case "client_reports":
      return limits.maxClientReportsSize;
    case "statsd":
      return limits.maxStatsdSize;
    case "metric_buckets":
      return limits.maxMetricBucketsSize;
    case "trace_metric":
      return limits.maxTraceMetricSize;
    case "none":
      return undefined;
  }
}

/** Relay's `max_*_size` key of a limit, for messages. */
const LIMIT_KEYS: Readonly<Record<ItemSizeLimit, string>> = {
  event: "max_event_size",
  attachment: "max_attachment_size",
  check_in: "max_check_in_size",
  log: "max_log_size",
  span: "max_span_size",
  container: "max_container_size",
  profile: "max_profile_size",
  replay_compressed: "max_replay_compressed_size",
  client_reports: "max_client_reports_size",
  statsd: "max_statsd_size",
  metric_buckets: "max_metric_buckets_size",
  trace_metric: "max_trace_metric_size",
  none: "max_envelope_size",
};

/**
 * The size of the largest record of a container item, or a reason why it cannot be read. Only
 * called for containers larger than one record may be, so small containers are not parsed.
 */
function largestRecord(payload: Uint8Array): { size: number } | { invalid: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch (error) {
    return { invalid: (error as Error).message };
  }
  const items = (json as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return { invalid: "a container item needs an items array" };
  let size = 0;
  for (const record of items) {
    const json = JSON.stringify(record) as string | undefined;
    size = Math.max(size, json === undefined ? 0 : Buffer.byteLength(json));
  }
  return { size };
}

/** Checks an envelope against the limits and the rules of the protocol, refusing it when broken. */
export function checkEnvelope(input: IngestEnvelope, limits: RelayLimits): CheckedEnvelope {
  const { envelope } = input;
  let eventItems = 0;
  let sessions = 0;
  let eventId = envelope.meta.eventId;
  for (const [index, item] of envelope.items.entries()) {
    const type = item.headers.type;
    const size = item.payload.length;
    const limitName = itemSizeLimit(item.headers);
    const limit = limitOf(limitName, limits);
    if (limit !== undefined && size > limit) {
      const what = limitName === "container" ? `the ${type} container` : type === "attachment" ? "an attachment" : `the ${type} item`;
      throw new RelayError("too_large", `${what} is larger than ${limit} bytes (${LIMIT_KEYS[limitName]})`, { causes: [`item ${index} has ${size} bytes`] });
    }
    if (limitName === "container") {
      const recordLimit = limitOf(itemRecordLimit(item.headers), limits);
      if (recordLimit !== undefined && size > recordLimit) {
        const largest = largestRecord(item.payload);
        if ("invalid" in largest) throw new RelayError("invalid_envelope", `invalid ${type} container`, { causes: [`item ${index}: ${largest.invalid}`] });
        if (largest.size > recordLimit) {
          throw new RelayError("too_large", `a ${type} in a container is larger than ${recordLimit} bytes (${LIMIT_KEYS[itemRecordLimit(item.headers)]})`, {
            causes: [`item ${index} holds a record of ${largest.size} bytes`],
          });
        }
      }
    }
    if (EVENT_ITEM_TYPES.has(type)) {
      eventItems += 1;
      eventId ??= eventIdOfPayload(item.payload);
    } else if (type === "session" || type === "sessions") {
      sessions += 1;
    }
  }
  if (sessions > limits.maxSessionsPerEnvelope) {
    throw new RelayError("too_large", `more than ${limits.maxSessionsPerEnvelope} session items in one envelope`);
  }
  return { payload: input.bytes, eventId, hasEventLikeItem: eventItems > 0 };
}

/** The envelope a store request (or a security report) becomes. */
export interface BuiltEnvelope {
  readonly payload: Uint8Array;
  readonly eventId: string;
}

/**
 * Wraps an event (parsed, and its JSON bytes as sent) into a one-item envelope under its own
 * `event_id` (a fresh one when it has none).
 */
export function buildEventEnvelope(event: { readonly json: Record<string, unknown>; readonly bytes: Uint8Array }, now: number): BuiltEnvelope {
  const eventId = normalizeEventId(event.json.event_id) ?? newEventId();
  const envelope = createEnvelope({ eventId, sentAt: new Date(now) }, [createItem("event", event.bytes)]);
  return { payload: serializeEnvelope(envelope), eventId };
}

/** A raw report to wrap into an envelope: its item type, payload and further item headers. */
export interface RawReport {
  readonly type: string;
  readonly payload: Uint8Array;
  /** Headers for the item beside its type and length (a security report's `sentry_release`, say). */
  readonly headers?: ItemHeaderInit;
}

/** Wraps a raw report (a security report, say) into a one-item envelope with a fresh event id. */
export function buildReportEnvelope(report: RawReport, now: number): BuiltEnvelope {
  const eventId = newEventId();
  const envelope = createEnvelope({ eventId, sentAt: new Date(now) }, [createItem(report.type, report.payload, report.headers)]);
  return { payload: serializeEnvelope(envelope), eventId };
}

/** A file to put into an envelope as an attachment item. */
export interface AttachmentFile {
  readonly filename: string;
  readonly contentType: string;
  /** `event.minidump`, `event.attachment`, ... */
  readonly attachmentType: string;
  readonly data: Uint8Array;
}

/**
 * Builds an envelope of attachments, with an event item in front when `event` is given (a
 * minidump upload creates its event), for the event `eventId` (a fresh one by default).
 */
export function buildAttachmentsEnvelope(
  files: readonly AttachmentFile[],
  now: number,
  options: { readonly event?: Record<string, unknown>; readonly eventId?: string } = {},
): BuiltEnvelope {
  const { event } = options;
  const id = options.eventId ?? newEventId();
  const items: EnvelopeItem[] = event ? [createJsonItem("event", { ...event, event_id: id })] : [];
  for (const file of files) {
    items.push(createAttachmentItem({ filename: file.filename, data: file.data, contentType: file.contentType, attachmentType: file.attachmentType }));
  }
  return { payload: serializeEnvelope(createEnvelope({ eventId: id, sentAt: new Date(now) }, items)), eventId: id };
}
