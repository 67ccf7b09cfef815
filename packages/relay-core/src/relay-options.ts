/** How the relay learns about projects and where accepted data goes. */
export type RelayMode = "managed" | "static" | "proxy" | "capture";

/** Size limits, in bytes (counts where named). */
export interface RelayLimits {
  /** A single event (store body or event item), after decompression. */
  readonly maxEventSize: number;
  /** A whole envelope request, after decompression; the compressed body is held to it too. */
  readonly maxEnvelopeSize: number;
  /** A single attachment item or upload. */
  readonly maxAttachmentSize: number;
  /** Session updates in one envelope. */
  readonly maxSessionsPerEnvelope: number;
  /** A security report or a store body request. */
  readonly maxApiPayloadSize: number;
  /** A `check_in` item or HTTP cron request (`max_check_in_size`). */
  readonly maxCheckInSize: number;
  /** One log record (`max_log_size`). */
  readonly maxLogSize: number;
  /** One span (`max_span_size`). */
  readonly maxSpanSize: number;
  /** A container item of logs or spans, and an OTLP or NEL request after decompression (`max_container_size`). */
  readonly maxContainerSize: number;
  /** A `profile` or `profile_chunk` item (`max_profile_size`). */
  readonly maxProfileSize: number;
  /** A `replay_recording` or `replay_video` item (`max_replay_compressed_size`). */
  readonly maxReplayCompressedSize: number;
  /** A `client_report` item (`max_client_reports_size`). */
  readonly maxClientReportsSize: number;
  /** A `statsd` item (`max_statsd_size`). */
  readonly maxStatsdSize: number;
  /** A `metric_buckets` item (`max_metric_buckets_size`). */
  readonly maxMetricBucketsSize: number;
  /** A `trace_metric` item (`max_trace_metric_size`). */
  readonly maxTraceMetricSize: number;
}

/** Options of the HTTP app, resolved from the relay's configuration. */
export interface RelayOptions {
  readonly mode: RelayMode;
  readonly limits: RelayLimits;
  /** Addresses of proxies whose `X-Forwarded-For` is trusted, or `true` for any. */
  readonly trustProxy?: boolean | string | readonly string[] | undefined;
  /** Request body bytes held in memory by all requests together; beyond it requests get 503 (default 256 MiB). */
  readonly maxBufferedBodyBytes?: number | undefined;
  /**
   * Bytes of a refused request body (too large, say) read and thrown away after the answer, so that
   * a client still writing reads it; past them the connection is closed (default 16 MiB).
   */
  readonly maxDiscardedBodyBytes?: number | undefined;
  /** A request whose headers and body take longer than this is answered 408. */
  readonly requestTimeoutMs?: number | undefined;
  /** Path of an extra envelope endpoint for SDKs configured with `tunnel` (authentication from the envelope's `dsn`). */
  readonly tunnelPath?: string | undefined;
}

/** Sentry Relay's default limits. */
export const DEFAULT_LIMITS: RelayLimits = {
  maxEventSize: 1024 * 1024,
  maxEnvelopeSize: 100 * 1024 * 1024,
  maxAttachmentSize: 100 * 1024 * 1024,
  maxSessionsPerEnvelope: 100,
  maxApiPayloadSize: 20 * 1024 * 1024,
  maxCheckInSize: 100 * 1024,
  maxLogSize: 2 * 1024 * 1024,
  maxSpanSize: 10 * 1024 * 1024,
  maxContainerSize: 12 * 1024 * 1024,
  maxProfileSize: 50 * 1024 * 1024,
  maxReplayCompressedSize: 10 * 1024 * 1024,
  maxClientReportsSize: 100 * 1024,
  maxStatsdSize: 1024 * 1024,
  maxMetricBucketsSize: 1024 * 1024,
  maxTraceMetricSize: 1024 * 1024,
};
