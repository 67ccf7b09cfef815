import type { Envelope, EnvelopeItem, ItemHeaders, JsonObject } from "./envelope.js";

const NEWLINE = 0x0a;
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && sameJson((a as JsonObject)[key], (b as JsonObject)[key]));
}

/** The raw header line while it still says what `headers` says; a fresh rendering otherwise. */
function headerBytes(headers: JsonObject, raw: Uint8Array | undefined): Uint8Array {
  if (raw) {
    try {
      if (sameJson(JSON.parse(decoder.decode(raw)), headers)) return raw;
    } catch {
      // A raw header that is not JSON any more is simply not reused.
    }
  }
  return encoder.encode(JSON.stringify(headers));
}

/** The headers to write for an item: `length` follows the payload when declared or needed. */
function itemHeaders(item: EnvelopeItem): ItemHeaders {
  const headers = item.headers;
  const declared = headers.length !== undefined && headers.length !== null;
  const needed = declared || item.payload.includes(NEWLINE);
  return needed && headers.length !== item.payload.length ? { ...headers, length: item.payload.length } : headers;
}

/**
 * Serializes an envelope. Headers left unchanged are written exactly as received (unknown
 * attributes and formatting included), so an unchanged parsed envelope gives back its bytes. An
 * item whose header declares a `length` gets its payload's actual length, and one whose payload
 * holds a newline gets a `length` added. Items end with a newline, except that the last one ends
 * as it did in the source.
 */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const newline = Uint8Array.of(NEWLINE);
  const parts: Uint8Array[] = [headerBytes(envelope.headers, envelope.rawHeader)];
  const last = envelope.items.length - 1;
  for (const [index, item] of envelope.items.entries()) {
    const headers = itemHeaders(item);
    parts.push(newline, headerBytes(headers, headers === item.headers ? item.rawHeader : undefined));
    if (index === last && item.tail === "end-after-header" && item.payload.length === 0) continue;
    parts.push(newline, item.payload);
  }
  const tail = envelope.items[last]?.tail;
  if (tail !== "end" && tail !== "end-after-header") parts.push(newline);
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
