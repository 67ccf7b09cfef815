import { parseEnvelope } from "@org/protocol/envelope";

type Json = Record<string, unknown>;

function parseJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch {
    return undefined;
  }
}

function recordsOf(payload: Uint8Array): Json[] {
  const items = (parseJson(payload) as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items.filter((item): item is Json => typeof item === "object" && item !== null) : [];
}

function attribute(record: Json, key: string): string {
  const value = ((record.attributes as Json | undefined)?.[key] as { value?: unknown } | undefined)?.value;
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** A line for people about one item that is not an event, or `undefined` when there is nothing to say. */
function describeItem(type: string, payload: Uint8Array): string | undefined {
  if (type === "check_in") {
    const checkIn = parseJson(payload) as Json | undefined;
    if (typeof checkIn?.monitor_slug !== "string") return undefined;
    return `Check-in ${checkIn.monitor_slug}: ${typeof checkIn.status === "string" ? checkIn.status : "?"}`;
  }
  if (type === "span") {
    const spans = recordsOf(payload);
    if (spans.length === 0) return undefined;
    const root = spans.find((span) => span.parent_span_id === undefined) ?? spans[0]!;
    return `${plural(spans.length, "span")}: ${typeof root.name === "string" ? root.name : "<unnamed>"}`;
  }
  if (type === "log") {
    const logs = recordsOf(payload);
    const first = logs[0];
    if (!first) return undefined;
    if (attribute(first, "sentry.origin") === "auto.http.browser_reports.nel") {
      return `NEL ${attribute(first, "nel.type") || "report"}: ${attribute(first, "url.full")}${logs.length > 1 ? ` (+${logs.length - 1})` : ""}`;
    }
    return `${plural(logs.length, "log")}: ${typeof first.body === "string" ? first.body.split("\n")[0]! : ""}`;
  }
  return undefined;
}

/**
 * The title capture mode lists for an envelope: the processing title when it names an event, else
 * what its first check-in, span container (OTLP or SDK) or log container (logs, NEL) says.
 */
export function describeEnvelope(payload: Uint8Array, itemTypes: readonly string[], title: string): string {
  if (title !== itemTypes.join(", ")) return title;
  const parsed = parseEnvelope(payload);
  if (!parsed.ok) return title;
  for (const item of parsed.value.items) {
    const line = describeItem(item.headers.type, item.payload);
    if (line !== undefined) return line;
  }
  return title;
}
