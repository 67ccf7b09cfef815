import { createEnvelope, newEventId, serializeEnvelope, type EnvelopeItem } from "@org/protocol/envelope";

/** An envelope the relay built from a request in another format (cron, OTLP, NEL). */
export interface ItemEnvelope {
  readonly payload: Uint8Array;
  readonly eventId: string;
}

/** Wraps items into an envelope with a fresh event id and the time it was built. */
export function buildItemEnvelope(items: readonly EnvelopeItem[], now: number): ItemEnvelope {
  const eventId = newEventId();
  const envelope = createEnvelope({ eventId, sentAt: new Date(now) }, items);
  return { payload: serializeEnvelope(envelope), eventId };
}
