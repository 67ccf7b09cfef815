import type { DataCategory } from "../rate-limits/data-category.js";
import type { KnownItemType } from "./item-type.js";

const CATEGORIES: ReadonlyMap<string, DataCategory> = new Map(
  Object.entries({
    event: "error",
    transaction: "transaction",
    security: "security",
    raw_security: "security",
    attachment: "attachment",
    form_data: "attachment",
    session: "session",
    sessions: "session",
    user_report: "default",
    feedback: "feedback",
    client_report: "internal",
    check_in: "monitor",
    replay_event: "replay",
    replay_recording: "replay",
    replay_video: "replay",
    profile: "profile",
    profile_chunk: "profile",
    span: "span",
    otel_span: "span",
    log: "log_item",
    statsd: "metric_bucket",
    metric_buckets: "metric_bucket",
  } satisfies Record<KnownItemType, DataCategory>),
);

/**
 * The rate-limit category of an item type, as the spec lists it (event → error, check_in →
 * monitor, client_report → internal, user_report → default, log → log_item, replay_* → replay,
 * profile and profile_chunk → profile, ...). A type this version does not know counts as
 * `default`: Sentry's category for data without a specific one, so such items are held back only
 * by a `default` limit or a limit on every category, never by a limit on some other category.
 */
export function itemCategory(type: string): DataCategory {
  return CATEGORIES.get(type) ?? "default";
}
