/** The item types this version knows. */
export type KnownItemType =
  | "event"
  | "transaction"
  | "security"
  | "raw_security"
  | "attachment"
  | "form_data"
  | "session"
  | "sessions"
  | "user_report"
  | "feedback"
  | "client_report"
  | "check_in"
  | "replay_event"
  | "replay_recording"
  | "replay_video"
  | "profile"
  | "profile_chunk"
  | "span"
  | "otel_span"
  | "log"
  | "statsd"
  | "metric_buckets";

/** An item type: a known one, or any other string, kept and forwarded as it is. */
export type ItemType = KnownItemType | (string & Record<never, never>);

/** Every known item type, in a stable order. */
export const KNOWN_ITEM_TYPES: readonly KnownItemType[] = [
  "event",
  "transaction",
  "security",
  "raw_security",
  "attachment",
  "form_data",
  "session",
  "sessions",
  "user_report",
  "feedback",
  "client_report",
  "check_in",
  "replay_event",
  "replay_recording",
  "replay_video",
  "profile",
  "profile_chunk",
  "span",
  "otel_span",
  "log",
  "statsd",
  "metric_buckets",
];

const KNOWN: ReadonlySet<string> = new Set(KNOWN_ITEM_TYPES);

/** Whether this version knows the item type. */
export function isKnownItemType(type: string): type is KnownItemType {
  return KNOWN.has(type);
}

/**
 * Item types that carry an event (errors, transactions, security reports): an envelope holds at
 * most one of them.
 */
export const EVENT_ITEM_TYPES: ReadonlySet<string> = new Set<KnownItemType>(["event", "transaction", "security", "raw_security"]);
