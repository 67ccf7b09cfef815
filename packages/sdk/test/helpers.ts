import { parseEnvelope } from "@org/protocol/envelope";
import type { RecordedRequest } from "@org/testkit";

/** A public key of the right length for test DSNs. */
export const KEY = "0123456789abcdef0123456789abcdef";

/** A logger that keeps nothing. */
export const quiet = { info: (): void => undefined, error: (): void => undefined };

/** Free-form JSON, as events are. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserting on free-form event JSON

/** The items of a recorded envelope request, with their payloads parsed as JSON. */
export function itemsOf(request: RecordedRequest): { type: string; size: number; payload: Json }[] {
  const envelope = parseEnvelope(request.body);
  if (!envelope.ok) throw envelope.error;
  return envelope.value.items.map((item) => ({
    type: String(item.headers.type),
    size: item.payload.length,
    payload: JSON.parse(Buffer.from(item.payload).toString()) as Json,
  }));
}

/** The events among recorded requests. */
export function eventsOf(requests: readonly RecordedRequest[]): Json[] {
  return requests.flatMap(itemsOf).filter((item) => item.type === "event").map((item) => item.payload);
}

/** The client reports among recorded requests. */
export function clientReportsOf(requests: readonly RecordedRequest[]): Json[] {
  return requests.flatMap(itemsOf).filter((item) => item.type === "client_report").map((item) => item.payload);
}

/** Discarded counts of client reports as `reason/category` → quantity, summed. */
export function discardTotals(reports: readonly Json[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const report of reports) {
    for (const line of report.discarded_events as { reason: string; category: string; quantity: number }[]) {
      const key = `${line.reason}/${line.category}`;
      totals[key] = (totals[key] ?? 0) + line.quantity;
    }
  }
  return totals;
}
