import { parseByteSize } from "@org/protocol/body";
import { parseDsn } from "@org/protocol/dsn";
import { z } from "zod";
import type { RelaySettings } from "./relay-settings.js";

const mode = z.enum(["managed", "static", "proxy", "capture"]);
const port = z.number().int().min(0).max(65_535);
/** A size: a number of bytes, or a string with a unit (`1kB`, `1KiB`, `1MB`, `1MiB`, ...). */
const size = z.union([z.number().int().nonnegative(), z.string().min(1)]).superRefine((value, context) => {
  if (typeof value !== "string") return;
  const parsed = parseByteSize(value);
  if (!parsed.ok) context.addIssue({ code: "custom", message: parsed.error.message });
});
const seconds = z.number().nonnegative();

/** The schema of `config.yml`, with every default. Unknown keys are errors (typos). */
export const configSchema = z.strictObject({
  relay: z
    .strictObject({
      mode: mode.default("managed"),
      upstream: z.url().default("https://sentry.io/"),
      host: z.string().min(1).default("127.0.0.1"),
      port: port.default(3000),
      tunnel_path: z.string().startsWith("/").optional(),
      trust_proxy: z.union([z.boolean(), z.string(), z.array(z.string())]).default(false),
      tls_port: port.nullable().default(null),
      tls_identity_path: z.string().min(1).nullable().default(null),
      tls_identity_password: z.string().nullable().default(null),
      tls_cert_path: z.string().min(1).nullable().default(null),
      tls_key_path: z.string().min(1).nullable().default(null),
      /** Ingest processes on the one port (`node:cluster`); above 1 a primary process forwards what they spool. */
      workers: z.number().int().min(1).max(64).default(1),
    })
    .prefault({}),
  http: z
    .strictObject({
      timeout: seconds.default(5),
      connection_timeout: seconds.default(3),
      max_retry_interval: seconds.default(60),
      auth_interval: seconds.default(600),
      max_connections: z.number().int().positive().default(32),
      request_timeout: seconds.default(60),
      /** Seconds of failed registration before `ready` says so (Relay's network outage grace). */
      outage_grace_period: seconds.default(10),
      /** Encoding of forwarded envelopes: `auto` is `identity` to a loopback upstream and `gzip` to any other. */
      encoding: z.enum(["auto", "gzip", "deflate", "br", "identity"]).default("auto"),
      /** Compression level of forwarded envelopes: 1 (fastest) to 9 (smallest); brotli reads it as its quality. */
      compression_level: z.number().int().min(1).max(9).default(6),
    })
    .prefault({}),
  cache: z
    .strictObject({
      project_expiry: seconds.default(300),
      project_grace_period: seconds.default(60),
      miss_expiry: seconds.default(60),
      batch_interval: z.number().int().positive().default(100),
      batch_size: z.number().int().positive().default(500),
    })
    .prefault({}),
  limits: z
    .strictObject({
      max_event_size: size.default("1MiB"),
      max_envelope_size: size.default("100MiB"),
      max_attachment_size: size.default("100MiB"),
      max_api_payload_size: size.default("20MiB"),
      max_check_in_size: size.default("100KiB"),
      max_log_size: size.default("2MiB"),
      max_span_size: size.default("10MiB"),
      max_container_size: size.default("12MiB"),
      max_profile_size: size.default("50MiB"),
      max_replay_compressed_size: size.default("10MiB"),
      max_client_reports_size: size.default("100KiB"),
      max_statsd_size: size.default("1MiB"),
      max_metric_buckets_size: size.default("1MiB"),
      max_trace_metric_size: size.default("1MiB"),
      /** Request bytes held in memory by all requests together; beyond it clients get 503. */
      max_buffered_body_size: size.default("256MiB"),
      /** Bytes of a refused body (too large, say) read and thrown away so the client reads the answer; then the connection closes. */
      max_discarded_body_size: size.default("16MiB"),
      max_session_count: z.number().int().positive().default(100),
      shutdown_timeout: seconds.default(10),
      processing_threads: z.number().int().min(0).max(64).default(1),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
      format: z.enum(["auto", "pretty", "json"]).default("auto"),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      statsd: z.string().nullable().default(null),
      prefix: z.string().default("sentry.relay"),
      default_tags: z.record(z.string(), z.string()).default({}),
      prometheus: z.boolean().default(false),
    })
    .prefault({}),
  sentry: z
    .strictObject({
      enabled: z.boolean().default(false),
      dsn: z.string().nullable().default(null),
    })
    .prefault({}),
  spool: z
    .strictObject({
      path: z.string().nullable().default(null),
      max_disk_size: size.default("500MiB"),
      max_age: seconds.default(7 * 24 * 3600),
      synchronous: z.enum(["full", "normal"]).default("full"),
      /** Keep the spool's database work (inserts, commits, disk syncs) in a worker thread. */
      worker_thread: z.boolean().default(true),
      /** `sqlite`: a local database; `jetstream`: a NATS JetStream stream shared by several relays. */
      backend: z.enum(["sqlite", "jetstream"]).default("sqlite"),
      nats: z
        .strictObject({
          servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default("nats://127.0.0.1:4222"),
          credentials: z.string().min(1).nullable().default(null),
          stream: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only").default("RELAY_SPOOL"),
          consumer: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only").default("relay-forwarders"),
          replicas: z.number().int().min(1).max(5).default(1),
          ack_wait: seconds.default(60),
        })
        .prefault({}),
    })
    .prefault({}),
  outcomes: z
    .strictObject({
      /**
       * Outcomes of lost data sent upstream: `as_client_reports` (the relay's own client_report
       * items), `true` (managed mode: signed to the relay outcomes endpoint), `false` (not sent).
       */
      emit_outcomes: z.union([z.boolean(), z.literal("as_client_reports")]).default("as_client_reports"),
      aggregator: z
        .strictObject({
          /** Seconds between two reports (Relay: 120). */
          flush_interval: z.number().positive().default(120),
        })
        .prefault({}),
    })
    .prefault({}),
  capture: z
    .strictObject({
      max_events: z.number().int().positive().default(1000),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** `authenticated`: not ready until registered upstream (managed mode); `always`: ready regardless. */
      ready: z.enum(["authenticated", "always"]).default("authenticated"),
      /** Downstream relays trusted without asking the upstream: relay id → its Ed25519 public key. */
      static_relays: z
        .record(
          z.string(),
          z
            .strictObject({ public_key: z.string().min(1).optional(), publicKey: z.string().min(1).optional(), internal: z.boolean().default(false) })
            .refine((info) => (info.public_key ?? info.publicKey) !== undefined, "public_key is required"),
        )
        .default({}),
      /** Seconds a downstream relay's signature stays valid. */
      signature_max_age: seconds.default(300),
    })
    .prefault({}),
  pii: z
    .strictObject({
      scrub_data: z.boolean().default(true),
      scrub_defaults: z.boolean().default(true),
      scrub_ip_addresses: z.boolean().default(false),
      sensitive_fields: z.array(z.string()).default([]),
      exclude_fields: z.array(z.string()).default([]),
    })
    .prefault({}),
});

/** `config.yml` as written, after defaults (sizes still as written). */
export type RawRelayConfig = z.infer<typeof configSchema>;

/** A size the schema accepted, in bytes. */
function bytes(value: number | string): number {
  if (typeof value === "number") return value;
  const parsed = parseByteSize(value);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

/** Seconds as written, in milliseconds. */
function ms(value: number): number {
  return value * 1000;
}

/** Freezes a plain value and everything in it. */
function freezeDeep<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freezeDeep(inner);
    Object.freeze(value);
  }
  return value;
}

/** Rules across sections, each reported at the key to change. */
function checkAcrossSections(config: RawRelayConfig, context: z.RefinementCtx): void {
  if (config.relay.workers > 1) {
    // Captures are shown live by the process that keeps them; Prometheus counts live in each process.
    if (config.relay.mode === "capture") context.addIssue({ code: "custom", path: ["relay", "workers"], message: "capture mode runs in one process (workers: 1)" });
    if (config.metrics.prometheus) {
      context.addIssue({ code: "custom", path: ["relay", "workers"], message: "metrics.prometheus needs workers: 1 (each worker counts its own requests); use metrics.statsd" });
    }
  }
  if (config.sentry.enabled) {
    const dsn = config.sentry.dsn === null ? undefined : parseDsn(config.sentry.dsn);
    if (dsn === undefined) context.addIssue({ code: "custom", path: ["sentry"], message: "sentry.enabled is true but sentry.dsn is not set" });
    else if (!dsn.ok) context.addIssue({ code: "custom", path: ["sentry", "dsn"], message: dsn.error.message });
  }
}

/** The validated configuration in the units and names the relay's parts use. */
function toSettings(config: RawRelayConfig): RelaySettings {
  const { relay, http, cache, limits, spool, auth, pii } = config;
  const { nats } = spool;
  return {
    mode: relay.mode,
    listen: { host: relay.host, port: relay.port, workers: relay.workers },
    tls: { port: relay.tls_port, identityPath: relay.tls_identity_path, identityPassword: relay.tls_identity_password, certPath: relay.tls_cert_path, keyPath: relay.tls_key_path },
    http: {
      mode: relay.mode,
      limits: {
        maxEventSize: bytes(limits.max_event_size),
        maxEnvelopeSize: bytes(limits.max_envelope_size),
        maxAttachmentSize: bytes(limits.max_attachment_size),
        maxApiPayloadSize: bytes(limits.max_api_payload_size),
        maxSessionsPerEnvelope: limits.max_session_count,
        maxCheckInSize: bytes(limits.max_check_in_size),
        maxLogSize: bytes(limits.max_log_size),
        maxSpanSize: bytes(limits.max_span_size),
        maxContainerSize: bytes(limits.max_container_size),
        maxProfileSize: bytes(limits.max_profile_size),
        maxReplayCompressedSize: bytes(limits.max_replay_compressed_size),
        maxClientReportsSize: bytes(limits.max_client_reports_size),
        maxStatsdSize: bytes(limits.max_statsd_size),
        maxMetricBucketsSize: bytes(limits.max_metric_buckets_size),
        maxTraceMetricSize: bytes(limits.max_trace_metric_size),
      },
      trustProxy: relay.trust_proxy,
      maxBufferedBodyBytes: bytes(limits.max_buffered_body_size),
      maxDiscardedBodyBytes: bytes(limits.max_discarded_body_size),
      requestTimeoutMs: ms(http.request_timeout),
      tunnelPath: relay.tunnel_path,
    },
    upstream: {
      url: relay.upstream,
      timeoutMs: ms(http.timeout),
      connectTimeoutMs: ms(http.connection_timeout),
      maxConnections: http.max_connections,
      maxRetryIntervalMs: ms(http.max_retry_interval),
      authIntervalMs: ms(http.auth_interval),
      projectExpiryMs: ms(cache.project_expiry),
      projectGracePeriodMs: ms(cache.project_grace_period),
      missExpiryMs: ms(cache.miss_expiry),
      batchIntervalMs: cache.batch_interval,
      batchSize: cache.batch_size,
      encoding: http.encoding,
      compressionLevel: http.compression_level,
    },
    concurrency: relay.mode === "capture" ? 100 : http.max_connections * 2,
    processingThreads: limits.processing_threads,
    shutdownTimeoutMs: ms(limits.shutdown_timeout),
    outcomeReports: {
      mode: config.outcomes.emit_outcomes === false ? "off" : config.outcomes.emit_outcomes === true && relay.mode === "managed" ? "signed" : "client_reports",
      flushIntervalMs: ms(config.outcomes.aggregator.flush_interval),
    },
    readiness: { authReady: auth.ready, outageGraceMs: ms(http.outage_grace_period) },
    downstream: {
      staticRelays: Object.fromEntries(Object.entries(auth.static_relays).map(([id, info]) => [id, { publicKey: info.public_key ?? info.publicKey ?? "", internal: info.internal }])),
      signatureMaxAgeMs: ms(auth.signature_max_age),
    },
    globalScrubbing: {
      scrubData: pii.scrub_data,
      scrubDefaults: pii.scrub_defaults,
      scrubIpAddresses: pii.scrub_ip_addresses,
      sensitiveFields: pii.sensitive_fields,
      excludeFields: pii.exclude_fields,
    },
    spool: {
      path: spool.path,
      maxBytes: bytes(spool.max_disk_size),
      maxAgeMs: ms(spool.max_age),
      synchronous: spool.synchronous,
      workerThread: spool.worker_thread,
      backend: spool.backend,
      nats: {
        servers: typeof nats.servers === "string" ? [nats.servers] : nats.servers,
        credentials: nats.credentials,
        stream: nats.stream,
        consumer: nats.consumer,
        replicas: nats.replicas,
        ackWaitMs: ms(nats.ack_wait),
      },
    },
    metrics: { statsd: config.metrics.statsd, prefix: config.metrics.prefix, defaultTags: config.metrics.default_tags, prometheus: config.metrics.prometheus },
    logging: config.logging,
    crashReportsDsn: config.sentry.enabled ? config.sentry.dsn : null,
    captureMaxEvents: config.capture.max_events,
  };
}

/**
 * The one parse of the relay's configuration: `config.yml` (after Relay's keys were translated
 * and overrides applied) in, the configuration as written with its defaults (what `config show`
 * prints) and the frozen {@link RelaySettings} out. Every problem is an issue at its key's path.
 */
export const relayConfigSchema = configSchema.superRefine(checkAcrossSections).transform((config) => freezeDeep({ written: structuredClone(config), settings: toSettings(config) }));

/** What {@link relayConfigSchema} makes of a configuration. */
export type ParsedRelayConfig = z.output<typeof relayConfigSchema>;
