import type { DataCategory } from "../rate-limits/data-category.js";

/** The item types Sentry defines; other types are kept and forwarded as they are. */
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

const CATEGORIES: ReadonlyMap<string, DataCategory> = new Map(Object.entries({
  event: "error",
  transaction: "transaction",
  security: "security",
  raw_security: "security",
  attachment: "attachment",
  session: "session",
  sessions: "session",
  check_in: "monitor",
  client_report: "internal",
  user_report: "default",
  feedback: "feedback",
  span: "span",
  otel_span: "span",
  log: "log_item",
  replay_event: "replay",
  replay_recording: "replay",
  replay_video: "replay",
  profile: "profile",
  profile_chunk: "profile",
  statsd: "metric_bucket",
  metric_buckets: "metric_bucket",
} satisfies Record<string, DataCategory>));

/** The rate-limit category of an item type; types this version does not know count as `default`. */
export function itemCategory(type: string): DataCategory {
  return CATEGORIES.get(type) ?? "default";
}

/** Item types that carry an event; an envelope holds at most one of them. */
export const EVENT_ITEM_TYPES: ReadonlySet<string> = new Set(["event", "transaction", "security", "raw_security"]);
