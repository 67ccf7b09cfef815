import type { RelayMode, RelayOptions, RelayServiceOptions, ScrubbingPolicy, UpstreamSettings } from "@org/relay-core";

/** Where and how the relay listens (`relay.*`). */
export interface ListenSettings {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Ingest processes on the one port; above 1 a primary process forwards what they spool. */
  readonly workers: number;
}

/** HTTPS beside plain HTTP, as written (`relay.tls_*`); the files are read and checked by `loadTlsSettings`. */
export interface TlsConfig {
  /** `null`: no HTTPS. */
  readonly port: number | null;
  readonly identityPath: string | null;
  readonly identityPassword: string | null;
  readonly certPath: string | null;
  readonly keyPath: string | null;
}

/** The spool (`spool.*`), sizes in bytes and durations in milliseconds. */
export interface SpoolSettings {
  /** The spool's folder; `null`: `spool` in the config folder. */
  readonly path: string | null;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly synchronous: "full" | "normal";
  readonly workerThread: boolean;
  readonly backend: "sqlite" | "jetstream";
  /** The shared JetStream spool's servers and names (`spool.nats.*`). */
  readonly nats: {
    readonly servers: readonly string[];
    readonly credentials: string | null;
    readonly stream: string;
    readonly consumer: string;
    readonly replicas: number;
    readonly ackWaitMs: number;
  };
}

/** The relay's own metrics (`metrics.*`). */
export interface MetricsSettings {
  /** `host:port` of a statsd server, or `null`. */
  readonly statsd: string | null;
  readonly prefix: string;
  readonly defaultTags: Readonly<Record<string, string>>;
  /** Serve `/metrics/` in the Prometheus text format. */
  readonly prometheus: boolean;
}

/** How the relay talks to its upstream, but for what only the running relay knows (its version and identity). */
export type UpstreamConfig = Omit<UpstreamSettings, "version" | "credentials">;

/**
 * The relay's configuration as its parts use it: validated, defaults applied, durations in
 * milliseconds and sizes in bytes, frozen. Made only by the schema in `config-schema.ts`.
 */
export interface RelaySettings {
  readonly mode: RelayMode;
  readonly listen: ListenSettings;
  readonly tls: TlsConfig;
  /** The ingest endpoints' options (limits, proxies, timeouts, tunnel). */
  readonly http: RelayOptions;
  readonly upstream: UpstreamConfig;
  /** Envelopes processed and delivered at the same time. */
  readonly concurrency: number;
  /** Worker threads for processing (`limits.processing_threads`; 0: on the event loop). */
  readonly processingThreads: number;
  /** Time a graceful shutdown may take (`limits.shutdown_timeout`). */
  readonly shutdownTimeoutMs: number;
  readonly outcomeReports: NonNullable<RelayServiceOptions["outcomeReports"]>;
  readonly readiness: { readonly authReady: "authenticated" | "always"; readonly outageGraceMs: number };
  readonly downstream: NonNullable<RelayServiceOptions["downstream"]>;
  readonly globalScrubbing: ScrubbingPolicy;
  readonly spool: SpoolSettings;
  readonly metrics: MetricsSettings;
  readonly logging: { readonly level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent"; readonly format: "auto" | "pretty" | "json" };
  /** The relay's own crash reports (`sentry.*`): a DSN when enabled. */
  readonly crashReportsDsn: string | null;
  /** Capture mode: events kept at most. */
  readonly captureMaxEvents: number;
}
