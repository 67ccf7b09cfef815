import { z } from "zod";

const mode = z.enum(["managed", "static", "proxy", "capture"]);
const port = z.number().int().min(0).max(65_535);
/** A size: a number of bytes, or a string with a unit (`1kB`, `1KiB`, `1MB`, `1MiB`, ...). */
const size = z.union([z.number().int().nonnegative(), z.string().min(1)]);
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
