import { parseEnvelope } from "@org/protocol/envelope";

const decoder = new TextDecoder("utf-8", { fatal: true });

function payloadForPeople(payload: Uint8Array, contentType: unknown): unknown {
  try {
    const text = decoder.decode(payload);
    if (contentType === undefined || (typeof contentType === "string" && /^application\/(?:[\w.-]+\+)?json\b/.test(contentType))) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    return text;
  } catch {
    return { base64: Buffer.from(payload).toString("base64") };
  }
}

/**
 * A captured envelope as JSON for people: the envelope header, the event (when there is one), and
 * every item with its header and payload (JSON parsed, text as text, binary as base64).
 */
export function renderEnvelopeForPeople(bytes: Uint8Array): Record<string, unknown> {
  const parsed = parseEnvelope(bytes);
  if (!parsed.ok) return { envelope_error: parsed.error.message };
  const items = parsed.value.items.map((item) => ({
    headers: item.headers,
    payload: payloadForPeople(item.payload, item.headers.content_type),
  }));
  const event = items.find((item) => ["event", "transaction", "security"].includes(item.headers.type))?.payload;
  return { headers: parsed.value.headers, event, items };
}
