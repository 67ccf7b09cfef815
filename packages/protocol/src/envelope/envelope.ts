import { ProtocolError } from "../protocol-error.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";

/** Why an envelope could not be read. */
export type EnvelopeErrorCode =
  | "empty"
  | "invalid_header"
  | "invalid_item_header"
  | "missing_item_type"
  | "invalid_length"
  | "length_mismatch"
  | "invalid_event_id"
  | "too_large";

/** An envelope that does not follow the grammar, with where it went wrong. */
export class EnvelopeError extends ProtocolError<EnvelopeErrorCode> {}

/** Any JSON object, as found in envelope and item headers. */
export type JsonObject = Record<string, unknown>;

/** The envelope header line. Unknown attributes are kept. */
export interface EnvelopeHeaders extends JsonObject {
  event_id?: string;
  dsn?: string;
  sdk?: { name?: string; version?: string } & JsonObject;
  sent_at?: string;
  trace?: JsonObject;
}

/** An item's header line. Unknown attributes are kept. */
export interface ItemHeaders extends JsonObject {
  type: string;
  length?: number;
  filename?: string;
  attachment_type?: string;
  content_type?: string;
}

/** One item: its header and its payload bytes. */
export interface EnvelopeItem {
  headers: ItemHeaders;
  payload: Uint8Array;
  /**
   * The header line exactly as received. Serializing reuses it while `headers` is unchanged
   * (compared by value), so unknown attributes and their formatting survive byte for byte.
   */
  rawHeader?: Uint8Array | undefined;
  /** Whether the item was followed by a newline in the source, kept for exact re-serialization. */
  trailingNewline?: boolean | undefined;
}

/** A parsed envelope. */
export interface Envelope {
  headers: EnvelopeHeaders;
  items: EnvelopeItem[];
  /** The header line exactly as received (see {@link EnvelopeItem.rawHeader}). */
  rawHeader?: Uint8Array | undefined;
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function parseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
const DASHED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Normalizes an event id (32 hex or dashed UUID) to 32 lowercase hex, or `undefined` when invalid. */
export function normalizeEventId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (HEX32.test(value)) return value.toLowerCase();
  if (DASHED.test(value)) return value.replaceAll("-", "").toLowerCase();
  return undefined;
}

/** Options of {@link parseEnvelope}. */
export interface ParseEnvelopeOptions {
  /** Largest number of items accepted. */
  readonly maxItems?: number;
}

/**
 * Parses an envelope per the grammar `Headers { "\n" Item } [ "\n" ]`. Payloads are views into
 * `bytes`, not copies. A `\r` before a newline belongs to the payload.
 */
export function parseEnvelope(bytes: Uint8Array, options: ParseEnvelopeOptions = {}): Result<Envelope, EnvelopeError> {
  if (bytes.length === 0) return err(new EnvelopeError("empty", "empty envelope"));
  let end = bytes.indexOf(NEWLINE);
  if (end === -1) end = bytes.length;
  const rawHeader = bytes.subarray(0, end);
  const headers = parseJsonObject(rawHeader);
  if (!headers) return err(new EnvelopeError("invalid_header", "the envelope header (line 1) is not a JSON object"));
  if (headers.event_id !== undefined && headers.event_id !== null) {
    const id = normalizeEventId(headers.event_id);
    if (!id) {
      return err(new EnvelopeError("invalid_event_id", `the envelope header's event_id is not a UUID: ${JSON.stringify(headers.event_id)}`));
    }
  }
  const items: EnvelopeItem[] = [];
  const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  let pos = end + 1;
  while (pos < bytes.length) {
    // Blank lines between items carry nothing; a trailing newline ends the envelope.
    if (bytes[pos] === NEWLINE) {
      pos += 1;
      continue;
    }
    const index = items.length;
    let headerEnd = bytes.indexOf(NEWLINE, pos);
    if (headerEnd === -1) headerEnd = bytes.length;
    const rawItemHeader = bytes.subarray(pos, headerEnd);
    const itemHeaders = parseJsonObject(rawItemHeader);
    if (!itemHeaders) {
      return err(new EnvelopeError("invalid_item_header", `the header of item ${index} is not a JSON object`));
    }
    if (typeof itemHeaders.type !== "string" || itemHeaders.type === "") {
      return err(new EnvelopeError("missing_item_type", `item ${index} has no type`));
    }
    const payloadStart = headerEnd + 1;
    let payloadEnd: number;
    let trailingNewline: boolean;
    if (itemHeaders.length !== undefined && itemHeaders.length !== null) {
      const length = itemHeaders.length;
      if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
        return err(new EnvelopeError("invalid_length", `item ${index} has an invalid length: ${JSON.stringify(length)}`));
      }
      payloadEnd = payloadStart + length;
      if (payloadEnd > bytes.length || (headerEnd === bytes.length && length > 0)) {
        return err(
          new EnvelopeError(
            "length_mismatch",
            `item ${index} declares ${length} bytes but only ${Math.max(0, bytes.length - payloadStart)} follow`,
          ),
        );
      }
      if (payloadEnd < bytes.length && bytes[payloadEnd] !== NEWLINE) {
        return err(new EnvelopeError("length_mismatch", `item ${index}'s ${length} bytes are not followed by a newline`));
      }
      trailingNewline = payloadEnd < bytes.length;
    } else {
      const next = payloadStart >= bytes.length ? -1 : bytes.indexOf(NEWLINE, payloadStart);
      payloadEnd = next === -1 ? Math.max(payloadStart, bytes.length) : next;
      trailingNewline = next !== -1;
    }
    if (items.length >= maxItems) {
      return err(new EnvelopeError("too_large", `the envelope has more than ${maxItems} items`));
    }
    items.push({
      headers: itemHeaders as ItemHeaders,
      payload: payloadStart <= bytes.length ? bytes.subarray(Math.min(payloadStart, bytes.length), payloadEnd) : new Uint8Array(),
      rawHeader: rawItemHeader,
      trailingNewline,
    });
    pos = payloadEnd + 1;
  }
  return ok({ headers: headers, items, rawHeader });
}

function headerBytes(headers: JsonObject, raw: Uint8Array | undefined): Uint8Array {
  if (raw) {
    const parsed = parseJsonObject(raw);
    if (parsed && sameJson(parsed, headers)) return raw;
  }
  return encoder.encode(JSON.stringify(headers));
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as JsonObject)[k], (b as JsonObject)[k]));
}

/**
 * Serializes an envelope. Headers left unchanged are written exactly as received; an item whose
 * header declares a `length` gets the payload's actual length.
 */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const parts: Uint8Array[] = [headerBytes(envelope.headers, envelope.rawHeader)];
  const newline = Uint8Array.of(NEWLINE);
  for (const item of envelope.items) {
    let headers = item.headers;
    const mustDeclare = item.payload.includes(NEWLINE) || headers.length !== undefined;
    if (mustDeclare && headers.length !== item.payload.length) headers = { ...headers, length: item.payload.length };
    parts.push(newline, headerBytes(headers, headers === item.headers ? item.rawHeader : undefined), newline, item.payload);
  }
  if (envelope.items.at(-1)?.trailingNewline !== false) parts.push(newline);
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
