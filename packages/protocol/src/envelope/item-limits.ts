import type { ItemHeaders } from "./envelope.js";

/** Content type of a `log` item holding many logs: `{"items":[...]}`. */
export const LOG_CONTAINER_CONTENT_TYPE = "application/vnd.sentry.items.log+json";

/** Content type of a `span` item holding many v2 spans: `{"items":[...]}`. */
export const SPAN_CONTAINER_CONTENT_TYPE = "application/vnd.sentry.items.span.v2+json";

/** Content type of a `trace_metric` item holding many metrics. */
export const TRACE_METRIC_CONTAINER_CONTENT_TYPE = "application/vnd.sentry.items.trace-metric+json";

/**
 * Which of Sentry Relay's per-item size limits applies to an item (named after its
 * `limits.max_*_size` key): `none` for items bounded only by the whole envelope (attachments have
 * their own, unknown types none at all).
 */
export type ItemSizeLimit =
  | "event"
  | "attachment"
  | "check_in"
  | "log"
  | "span"
  | "container"
  | "profile"
  | "replay_compressed"
  | "client_reports"
  | "statsd"
  | "metric_buckets"
  | "trace_metric"
  | "none";

/** Whether an item holds many records in an `{"items":[...]}` container (logs, v2 spans, trace metrics). */
export function isContainerItem(headers: Pick<ItemHeaders, "type" | "content_type">): boolean {
  const contentType = typeof headers.content_type === "string" ? headers.content_type.split(";")[0]!.trim().toLowerCase() : undefined;
  return (
    contentType === LOG_CONTAINER_CONTENT_TYPE ||
    contentType === SPAN_CONTAINER_CONTENT_TYPE ||
    contentType === TRACE_METRIC_CONTAINER_CONTENT_TYPE
  );
}

const BY_TYPE: ReadonlyMap<string, ItemSizeLimit> = new Map(
  Object.entries({
    event: "event",
    transaction: "event",
    security: "event",
    raw_security: "event",
    feedback: "event",
    user_report: "event",
    replay_event: "event",
    form_data: "event",
    attachment: "attachment",
    check_in: "check_in",
    log: "log",
    span: "span",
    otel_span: "span",
    profile: "profile",
    profile_chunk: "profile",
    replay_recording: "replay_compressed",
    replay_video: "replay_compressed",
    client_report: "client_reports",
    statsd: "statsd",
    metric_buckets: "metric_buckets",
    trace_metric: "trace_metric",
  } satisfies Record<string, ItemSizeLimit>),
);

/**
 * The size limit of an item as Sentry Relay applies it: containers are held to
 * `max_container_size` as a whole (and each record inside to its type's limit, see
 * {@link itemRecordLimit}); other items to their type's limit.
 */
export function itemSizeLimit(headers: Pick<ItemHeaders, "type" | "content_type">): ItemSizeLimit {
  if (isContainerItem(headers)) return "container";
  return BY_TYPE.get(headers.type) ?? "none";
}

/** The limit of each record inside a container item (`log` → `max_log_size`, `span` → `max_span_size`). */
export function itemRecordLimit(headers: Pick<ItemHeaders, "type">): ItemSizeLimit {
  return BY_TYPE.get(headers.type) ?? "none";
}
