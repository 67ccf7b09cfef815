import type { ItemType } from "./item-type.js";

/** Any JSON object, as found in envelope and item headers. */
export type JsonObject = Record<string, unknown>;

/**
 * The envelope header line as a JSON object. Attributes the protocol defines are checked when
 * parsing (their validated, normalized form is {@link EnvelopeMeta}); unknown ones are kept.
 */
export interface EnvelopeHeaders extends JsonObject {
  /** The event id as sent: 32 hex digits or a dashed UUID, any case. */
  event_id?: string | null;
  /** The DSN, sent by clients that post through a tunnel. */
  dsn?: string;
  /** When the client sent the envelope, RFC 3339. */
  sent_at?: string | null;
}

/** An item's header line as a JSON object. Unknown attributes are kept. */
export interface ItemHeaders extends JsonObject {
  /** The item type; types this version does not know are kept as they are. */
  type: ItemType;
  /** Payload length in bytes; without it the payload runs to the next newline. */
  length?: number | null;
  /** Original file name of an attachment. */
  filename?: string | null;
  /** Kind of attachment (`event.attachment`, `event.minidump`, ...). */
  attachment_type?: string | null;
  /** MIME type of the payload. */
  content_type?: string | null;
  /** Number of records in a container item (`span`, `log`). */
  item_count?: number | null;
}

/**
 * What followed an item in the source, kept so that an unchanged envelope serializes to the
 * bytes it was parsed from: a newline, the end right after the payload, or the end right after
 * the item header (an empty payload with no newline before it).
 */
export type ItemTail = "newline" | "end" | "end-after-header";

/** One item: its header and its payload bytes. */
export interface EnvelopeItem {
  /** The parsed header line. */
  headers: ItemHeaders;
  /** The payload, a view into the parsed bytes (attachments are binary). */
  payload: Uint8Array;
  /**
   * The header line exactly as received. Serializing reuses it while `headers` is unchanged
   * (compared by value), so unknown attributes and their formatting survive byte for byte.
   */
  rawHeader?: Uint8Array | undefined;
  /** What followed the item in the source; absent means a newline. Only the last item's counts. */
  tail?: ItemTail | undefined;
}

/** An envelope: a header and its items. */
export interface Envelope {
  /** The parsed envelope header line. */
  headers: EnvelopeHeaders;
  /** The items, in order. */
  items: EnvelopeItem[];
  /** The header line exactly as received (see {@link EnvelopeItem.rawHeader}). */
  rawHeader?: Uint8Array | undefined;
}

/** The SDK that sent an envelope, from the header's `sdk`. */
export interface EnvelopeSdk {
  /** SDK name, `sentry.javascript.node` for example. */
  readonly name: string;
  /** SDK version. */
  readonly version: string;
}

/** The dynamic sampling context from the header's `trace`, with the fields Sentry reads. */
export interface EnvelopeTrace {
  /** The trace id (32 hex digits). */
  readonly traceId: string;
  /** The public key of the project that started the trace. */
  readonly publicKey: string | undefined;
  /** Release of the trace's root. */
  readonly release: string | undefined;
  /** Environment of the trace's root. */
  readonly environment: string | undefined;
  /** Transaction name of the trace's root. */
  readonly transaction: string | undefined;
  /** The sample rate applied to the trace, as sent (a decimal string). */
  readonly sampleRate: string | undefined;
  /** Whether the trace was sampled, as sent (`"true"`/`"false"`). */
  readonly sampled: string | undefined;
}

/** The envelope header's attributes, validated and normalized. */
export interface EnvelopeMeta {
  /** The event id as 32 lowercase hex digits. */
  readonly eventId: string | undefined;
  /** The DSN the envelope names, unparsed (authentication parses and checks it). */
  readonly dsn: string | undefined;
  /** The sending SDK, when the header names it with a string name and version. */
  readonly sdk: EnvelopeSdk | undefined;
  /** When the client sent the envelope. */
  readonly sentAt: Date | undefined;
  /** The dynamic sampling context, when it carries a trace id; a malformed one is ignored. */
  readonly trace: EnvelopeTrace | undefined;
}

/** An envelope as parsed: the raw form plus its validated header attributes. */
export interface ParsedEnvelope extends Envelope {
  /** The header line exactly as received. */
  rawHeader: Uint8Array;
  /** The header's attributes, validated and normalized when parsed. */
  readonly meta: EnvelopeMeta;
}

