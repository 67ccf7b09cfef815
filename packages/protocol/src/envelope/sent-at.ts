const NEWLINE = 0x0a;
// A byte order mark is kept, so that such a header is left alone as JSON.parse refuses it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The envelope with its header's `sent_at` set to `now` (milliseconds since the epoch), as a relay
 * does before it forwards an envelope; the items are kept byte for byte. An envelope whose header
 * is not a JSON object is returned as it is.
 */
export function withSentAt(payload: Uint8Array, now: number): Uint8Array {
  const newline = payload.indexOf(NEWLINE);
  const headerEnd = newline === -1 ? payload.length : newline;
  let header: Record<string, unknown>;
  try {
    const parsed = JSON.parse(decoder.decode(payload.subarray(0, headerEnd))) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return payload;
    header = parsed as Record<string, unknown>;
  } catch {
    return payload;
  }
  header.sent_at = new Date(now).toISOString();
  const head = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(head.length + payload.length - headerEnd);
  out.set(head, 0);
  out.set(payload.subarray(headerEnd), head.length);
  return out;
}
