import type { Envelope, EnvelopeHeaders, EnvelopeItem, ItemHeaders, JsonObject, EnvelopeSdk } from "./envelope.js";
import { normalizeEventId } from "./event-id.js";
import type { ItemType } from "./item-type.js";

const encoder = new TextEncoder();

/** The envelope header of a new envelope, in JavaScript names. */
export interface EnvelopeHeaderInit {
  /** The event id: 32 hex digits or a dashed UUID; written as 32 lowercase hex digits. */
  readonly eventId?: string | undefined;
  /** The DSN, for envelopes that go through a tunnel. */
  readonly dsn?: string | undefined;
  /** The sending SDK. */
  readonly sdk?: EnvelopeSdk | undefined;
  /** When the envelope is sent; written as RFC 3339 with milliseconds. */
  readonly sentAt?: Date | undefined;
  /** The dynamic sampling context, in its wire form (`trace_id`, `public_key`, ...). */
  readonly trace?: JsonObject | undefined;
  /** Further header attributes, written as given. */
  readonly extra?: JsonObject | undefined;
}

/** Header attributes of a new item besides `type` and `length`. */
export type ItemHeaderInit = Omit<ItemHeaders, "type" | "length">;

/**
 * Creates an envelope from a header and items. Throws a `TypeError` for an event id that is not a
 * UUID: ids come from the caller's own generator, so a bad one is a programming error.
 */
export function createEnvelope(header: EnvelopeHeaderInit, items: readonly EnvelopeItem[]): Envelope {
  const headers: EnvelopeHeaders = { ...header.extra };
  if (header.eventId !== undefined) {
    const eventId = normalizeEventId(header.eventId);
    if (eventId === undefined) throw new TypeError(`createEnvelope: event id ${JSON.stringify(header.eventId)} is not a UUID`);
    headers.event_id = eventId;
  }
  if (header.dsn !== undefined) headers.dsn = header.dsn;
  if (header.sentAt !== undefined) headers.sent_at = header.sentAt.toISOString();
  if (header.sdk !== undefined) headers.sdk = { name: header.sdk.name, version: header.sdk.version };
  if (header.trace !== undefined) headers.trace = header.trace;
  return { headers, items: [...items] };
}

/** Creates an item of any type from its payload (bytes, or text written as UTF-8), with its length. */
export function createItem(type: ItemType, payload: Uint8Array | string, headers: ItemHeaderInit = {}): EnvelopeItem {
  const bytes = typeof payload === "string" ? encoder.encode(payload) : payload;
  return { headers: { type, length: bytes.length, ...headers }, payload: bytes };
}

/** Creates an item whose payload is a JSON value (an event, a session, a client report). */
export function createJsonItem(type: ItemType, value: unknown, headers: ItemHeaderInit = {}): EnvelopeItem {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new TypeError(`createJsonItem: a ${typeof value} is not JSON`);
  return createItem(type, text, headers);
}

/** A file to attach to an event. */
export interface AttachmentInit {
  /** File name shown in Sentry. */
  readonly filename: string;
  /** The content (bytes, or text written as UTF-8). */
  readonly data: Uint8Array | string;
  /** MIME type, when known. */
  readonly contentType?: string | undefined;
  /** `event.attachment` (the default in Sentry), `event.minidump`, `event.applecrashreport`, ... */
  readonly attachmentType?: string | undefined;
}

/** Creates an attachment item, with its length, so that binary content is safe. */
export function createAttachmentItem(attachment: AttachmentInit): EnvelopeItem {
  const headers: ItemHeaderInit = { filename: attachment.filename };
  if (attachment.contentType !== undefined) headers.content_type = attachment.contentType;
  if (attachment.attachmentType !== undefined) headers.attachment_type = attachment.attachmentType;
  return createItem("attachment", attachment.data, headers);
}
