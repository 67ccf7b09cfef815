/**
 * The categories that Sentry counts and rate-limits data by. `unknown` stands for any category
 * name this version does not know, so that a newer upstream's limits are kept, not rejected.
 */
export type DataCategory =
  | "default"
  | "error"
  | "transaction"
  | "security"
  | "attachment"
  | "session"
  | "internal"
  | "profile"
  | "profile_chunk"
  | "replay"
  | "monitor"
  | "span"
  | "log_item"
  | "feedback"
  | "metric_bucket"
  | "unknown";

/** Every known category name, in a stable order. */
export const DATA_CATEGORIES: readonly DataCategory[] = [
  "default",
  "error",
  "transaction",
  "security",
  "attachment",
  "session",
  "internal",
  "profile",
  "profile_chunk",
  "replay",
  "monitor",
  "span",
  "log_item",
  "feedback",
  "metric_bucket",
  "unknown",
];

const KNOWN = new Set<string>(DATA_CATEGORIES);

/** Maps a category name from the wire to a {@link DataCategory}; unknown names give `unknown`. */
export function toDataCategory(name: string): DataCategory {
  return KNOWN.has(name) ? (name as DataCategory) : "unknown";
}
