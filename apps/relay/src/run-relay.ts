import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRelayService,
  HTTP_SHARE_OF_SHUTDOWN,
  PrimaryLink,
  SharedRateLimitCache,
  loadStaticProjects,
  logCaptures,
  openCaptureStore,
  openSqliteSpool,
  openWorkerSpool,
  openJetStreamSpool,
  OutcomeCounter,
  expiredOutcomes,
  type CaptureStore,
  type Outcome,
  type RelayCredentials,
  type OutcomeSink,
  type ProjectStates,
  type RelayMetrics,
  type Spool,
  type SpooledEnvelope,
  type UpstreamSettings,
} from "@org/relay-core";
import { RelayCliError } from "./config-error.js";
import type { Logger } from "pino";
import type { RawRelayConfig } from "./config-schema.js";
import type { LoadedConfig } from "./load-config.js";
import { createLogger } from "./logger.js";
import { resolveRelayOptions } from "./relay-settings.js";
import { createStatsdMetrics, outcomesToMetrics } from "./statsd-metrics.js";
import { createCrashReporter, type CrashReporter } from "./crash-reporting.js";
import { createPrometheusMetrics, fanOutMetrics, type PrometheusMetrics } from "./prometheus-metrics.js";
import { loadRelayIdentity } from "./relay-credentials.js";
import { loadTlsSettings } from "./tls.js";
import { startWorkers, wholeReadiness, type WorkerSet } from "./relay-workers.js";

/** Output streams of the command. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The key printed in capture mode's DSN: made once per config folder and kept there. */
function captureKey(dir: string): string {
  const file = join(dir, "capture-key");
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (/^[0-9a-f]{32}$/.test(key)) return key;
  }
  const key = randomBytes(16).toString("hex");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A running relay, for the command and for tests. */
export interface RunningRelay {
  /** Base URL the relay listens on. */
  readonly url: string;
  /** The DSN to paste into an SDK (capture mode). */
  readonly dsn: string | undefined;
  /** Stops accepting, delivers or keeps what is in flight, and releases everything. */
  close(): Promise<void>;
}

/** How long a write to a spool shared by ingest workers waits for another process's commit. */
const SHARED_SPOOL_BUSY_TIMEOUT_MS = 30_000;

/** Where the spool and capture databases live. */
export function spoolFolder(loaded: LoadedConfig): string {
  return loaded.config.spool.path ?? join(loaded.dir, "spool");
}

/** The metrics sinks the configuration asks for. */
export function createMetrics(config: RawRelayConfig, logger: Logger): { statsd: ReturnType<typeof createStatsdMetrics> | undefined; prometheus: PrometheusMetrics | undefined; metrics: RelayMetrics | undefined } {
  const statsd = config.metrics.statsd ? createStatsdMetrics(config.metrics.statsd, config.metrics.prefix, config.metrics.default_tags, logger) : undefined;
  const prometheus = config.metrics.prometheus ? createPrometheusMetrics(config.metrics.prefix, config.metrics.default_tags) : undefined;
  const sinks: RelayMetrics[] = [statsd, prometheus].filter((sink) => sink !== undefined);
  return { statsd, prometheus, metrics: sinks.length > 1 ? fanOutMetrics(sinks) : sinks[0] };
}

/**
 * Opens the configured spool. With `shared`, other processes of this relay (its ingest workers)
 * write to the same SQLite database: sizes are read from it again, and writers wait for each
 * other's commits.
 */
export async function openSpool(loaded: LoadedConfig, maxBytes: number, logger: Logger, onExpired: (outcome: Outcome) => void, shared = false): Promise<Spool> {
  const { config } = loaded;
  const spoolOptions = {
    path: join(spoolFolder(loaded), "envelopes.sqlite"),
    maxBytes,
    maxAgeMs: config.spool.max_age * 1000,
    synchronous: config.spool.synchronous,
    shared,
    busyTimeoutMs: shared ? SHARED_SPOOL_BUSY_TIMEOUT_MS : undefined,
    onExpired: (expired: readonly SpooledEnvelope[]) => {
      logger.warn({ count: expired.length }, "dropped spooled envelopes older than spool.max_age");
      for (const outcome of expiredOutcomes(expired)) onExpired(outcome);
    },
  };
  try {
    if (config.spool.backend === "jetstream") {
      const { nats } = config.spool;
      return await openJetStreamSpool({
        servers: nats.servers,
        credentialsFile: nats.credentials ?? undefined,
        stream: nats.stream,
        consumer: nats.consumer,
        replicas: nats.replicas,
        maxBytes,
        maxAgeMs: config.spool.max_age * 1000,
        ackWaitMs: nats.ack_wait * 1000,
        name: `relay ${config.relay.host}:${config.relay.port}`,
      });
    }
    return config.spool.worker_thread ? await openWorkerSpool(spoolOptions) : openSqliteSpool(spoolOptions);
  } catch (error) {
    const where = config.spool.backend === "jetstream" ? `stream ${config.spool.nats.stream} at ${String(config.spool.nats.servers)}` : spoolOptions.path;
    throw new RelayCliError("startup_failed", `cannot open the spool (${where}): ${(error as Error).message}`, { cause: error });
  }
}

/** How the relay talks to its upstream (every mode but capture). */
export function upstreamSettings(config: RawRelayConfig, version: string, credentials: RelayCredentials | undefined): UpstreamSettings {
  return {
    url: config.relay.upstream,
    timeoutMs: config.http.timeout * 1000,
    connectTimeoutMs: config.http.connection_timeout * 1000,
    maxConnections: config.http.max_connections,
    maxRetryIntervalMs: config.http.max_retry_interval * 1000,
    authIntervalMs: config.http.auth_interval * 1000,
    version,
    credentials,
    projectExpiryMs: config.cache.project_expiry * 1000,
    projectGracePeriodMs: config.cache.project_grace_period * 1000,
    missExpiryMs: config.cache.miss_expiry * 1000,
    batchIntervalMs: config.cache.batch_interval,
    batchSize: config.cache.batch_size,
    encoding: config.http.encoding,
    compressionLevel: config.http.compression_level,
  };
}

/** Downstream relays trusted without asking the upstream (`auth.static_relays`). */
export function downstreamSettings(config: RawRelayConfig): { staticRelays: Record<string, { publicKey: string; internal: boolean }>; signatureMaxAgeMs: number } {
  return {
    staticRelays: Object.fromEntries(
      Object.entries(config.auth.static_relays).map(([id, info]) => [id, { publicKey: info.public_key ?? info.publicKey ?? "", internal: info.internal }]),
    ),
    signatureMaxAgeMs: config.auth.signature_max_age * 1000,
  };
}

/** Starts the relay described by a loaded configuration. */
export async function startRelay(
  loaded: LoadedConfig,
  notices: readonly string[],
  io: CommandIo,
  isTty = false,
  crashes?: CrashReporter,
  logger = createLogger(loaded.config.logging.level, loaded.config.logging.format, isTty),
  env: NodeJS.ProcessEnv = process.env,
  version = "0.0.0",
): Promise<RunningRelay> {
  const { config, dir } = loaded;
  const workerCount = config.relay.workers;
  // With ingest workers, this process is the primary: it processes, delivers and talks to the upstream.
  if (workerCount > 1) logger = logger.child({ worker: "primary" });
  for (const notice of [...notices, ...loaded.notices]) logger.info(notice);
  for (const warning of loaded.warnings) logger.warn(warning);
  const options = resolveRelayOptions(config);
  const mode = options.mode;
  const credentials = mode === "managed" ? await loadRelayIdentity(dir, env) : undefined;
  // Checked before anything is opened: a TLS mistake stops start-up with its own message.
  const tls = loadTlsSettings(config, dir);

  const spoolDir = spoolFolder(loaded);
  const { statsd, prometheus, metrics } = createMetrics(config, logger);
  const outcomes = metrics ? outcomesToMetrics(metrics, new OutcomeCounter()) : new OutcomeCounter();
  // Expired envelopes are counted by the sink that reports outcomes upstream, once the service exists.
  let outcomeSink: OutcomeSink = outcomes;
  const spool = await openSpool(
    loaded,
    options.spoolMaxBytes,
    logger,
    (outcome) => {
      outcomeSink.record(outcome);
    },
    workerCount > 1,
  );
  const link = workerCount > 1 ? new PrimaryLink(logger) : undefined;
  const captureStore: CaptureStore | undefined = mode === "capture" ? openCaptureStore(join(spoolDir, "captured.sqlite"), config.capture.max_events) : undefined;
  let projects: ProjectStates | undefined;
  if (mode === "static") {
    const projectsDir = join(dir, "projects");
    projects = await loadStaticProjects(projectsDir, (file, problem) => {
      logger.warn({ file }, `project file problem: ${problem}`);
    });
  }
  const upstream = mode === "capture" ? undefined : upstreamSettings(config, version, credentials);

  const service = createRelayService({
    http: options.http,
    spool,
    logger,
    outcomes,
    globalScrubbing: options.globalScrubbing,
    metrics,
    captureStore,
    projects,
    upstream,
    concurrency: mode === "capture" ? 100 : config.http.max_connections * 2,
    processingThreads: config.limits.processing_threads,
    idleMs: 500,
    onPipelineError: (error, envelope) => {
      crashes?.report(error, { client: envelope.context.client, where: "pipeline" });
    },
    onInternalError: (error, request) => {
      crashes?.report(error, { userAgent: request.userAgent, where: `${request.method} ${request.url}` });
    },
    outcomeReports: {
      mode: config.outcomes.emit_outcomes === false ? "off" : config.outcomes.emit_outcomes === true && mode === "managed" ? "signed" : "client_reports",
      flushIntervalMs: config.outcomes.aggregator.flush_interval * 1000,
    },
    readiness: { authReady: config.auth.ready, outageGraceMs: config.http.outage_grace_period * 1000 },
    downstream: downstreamSettings(config),
    rateLimits: link ? new SharedRateLimitCache(link.broadcast) : undefined,
  });
  outcomeSink = service.outcomes;
  link?.serve({
    projects: service.projects,
    outcomes: service.outcomes,
    wake: () => {
      service.pipeline.wake();
    },
  });
  const app = service.app;
  if (prometheus) {
    app.get("/metrics/", async (_request, reply) => reply.header("content-type", prometheus.contentType).send(await prometheus.render()));
  }
  const reportSpool = (): void => {
    const stats = spool.stats();
    metrics?.gauge("spool.depth", stats.depth);
    metrics?.gauge("spool.bytes", stats.bytes);
    if ("redeliveries" in spool) metrics?.gauge("spool.redeliveries", (spool as { redeliveries: number }).redeliveries);
  };
  const spoolTimer = metrics ? setInterval(reportSpool, 10_000) : undefined;
  spoolTimer?.unref();
  let stopCaptureLog: (() => void) | undefined;
  let workers: WorkerSet | undefined;
  let readinessTimer: NodeJS.Timeout | undefined;
  const release = async (): Promise<void> => {
    clearInterval(spoolTimer);
    clearInterval(readinessTimer);
    const timeoutMs = config.limits.shutdown_timeout * 1000;
    const startedAt = Date.now();
    if (workers) {
      // The workers finish the requests in flight (their answers wait for the spool); the pipeline
      // keeps delivering meanwhile, then gets the rest of the time.
      service.readiness.shutDown();
      link?.setReadiness(service.readiness.check());
      await workers.stop(timeoutMs * HTTP_SHARE_OF_SHUTDOWN);
    }
    await service.close(Math.max(0, timeoutMs - (Date.now() - startedAt)));
    stopCaptureLog?.();
    await spool.close();
    captureStore?.close();
    await statsd?.close();
    logger.flush();
  };
  let port: number;
  if (link) {
    const tell = (): void => {
      link.setReadiness(wholeReadiness(service.readiness.check(), workers?.alive() ?? 0, workerCount));
    };
    try {
      workers = await startWorkers({ count: workerCount, loaded, link, logger, onChange: tell });
    } catch (error) {
      await release();
      throw error;
    }
    tell();
    readinessTimer = setInterval(tell, 1000);
    readinessTimer.unref();
    port = workers.port;
  } else {
    try {
      await app.listen({ host: config.relay.host, port: config.relay.port });
    } catch (error) {
      await release();
      throw new RelayCliError("startup_failed", `cannot listen on ${config.relay.host}:${config.relay.port}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const address = app.server.address();
    port = typeof address === "object" && address ? address.port : config.relay.port;
  }
  service.start();
  reportSpool();
  const host = config.relay.host.includes(":") ? `[${config.relay.host}]` : config.relay.host;
  const url = `http://${host}:${port}`;
  let dsn: string | undefined;
  if (mode === "capture") {
    dsn = `http://${captureKey(dir)}@${host}:${port}/1`;
    if (captureStore) stopCaptureLog = logCaptures(captureStore, logger, url);
    io.out(
      [
        `relay listening on ${url} in capture mode`,
        `  DSN for your SDK:   ${dsn}`,
        `  web page:           ${url}/`,
        `  captured events:    ${url}/api/relay/events/`,
        "",
      ].join("\n"),
    );
  } else {
    const lines = [`relay listening on ${url} in ${mode} mode, forwarding to ${upstream?.url ?? ""}`];
    if (credentials) lines.push(`  relay id:   ${credentials.relayId}`, `  public key: ${credentials.publicKey} (allow it upstream)`);
    lines.push(`  SDKs use their usual DSN with the host replaced: http://<key>@${host}:${port}/<project>`);
    if (workers) lines.push(`  ingest workers: ${workerCount} processes on the same port (pids ${workers.pids().join(", ")})`);
    io.out(`${lines.join("\n")}\n`);
  }

  // HTTPS beside plain HTTP: a second app on the same service, closed with it by release().
  if (tls && workers) {
    io.out(`relay also listening on https://${host}:${workers.tlsPort ?? tls.port} (TLS)\n`);
  } else if (tls) {
    const tlsApp = service.buildApp({ https: tls.options });
    if (prometheus) {
      tlsApp.get("/metrics/", async (_request, reply) => reply.header("content-type", prometheus.contentType).send(await prometheus.render()));
    }
    try {
      await tlsApp.listen({ host: config.relay.host, port: tls.port });
    } catch (error) {
      await release();
      throw new RelayCliError("startup_failed", `cannot listen on ${config.relay.host}:${tls.port} (relay.tls_port): ${(error as Error).message}`, { cause: error });
    }
    const tlsAddress = tlsApp.server.address();
    const tlsPort = typeof tlsAddress === "object" && tlsAddress ? tlsAddress.port : tls.port;
    const tlsLines = [`relay also listening on https://${host}:${tlsPort} (TLS)`];
    if (dsn) tlsLines.push(`  DSN over HTTPS:     ${dsn.replace(/^http:/, "https:").replace(`@${host}:${port}/`, `@${host}:${tlsPort}/`)}`);
    io.out(`${tlsLines.join("\n")}\n`);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    dsn,
    close() {
      closing ??= release();
      return closing;
    },
  };
}

/** Runs the relay until SIGTERM or SIGINT, then shuts down gracefully. */
export async function runRelay(loaded: LoadedConfig, notices: readonly string[], io: CommandIo, version: string): Promise<void> {
  const logger = createLogger(loaded.config.logging.level, loaded.config.logging.format, process.stdout.isTTY);
  const crashes = createCrashReporter(loaded.config, version, logger);
  let relay: RunningRelay;
  try {
    relay = await startRelay(loaded, notices, io, process.stdout.isTTY, crashes, logger, process.env, version);
  } catch (error) {
    // A relay that cannot start is exactly what its operators want to hear about.
    crashes?.report(error, { where: "startup" });
    await crashes?.close();
    throw error;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      // A terminal's Ctrl-C often arrives twice (once from the terminal, once passed on by a
      // wrapper such as pnpm): the shutdown already under way is bounded by shutdown_timeout.
      if (stopping) return;
      stopping = true;
      io.out(`relay stopping (${signal}): finishing the requests in flight and keeping what was accepted\n`);
      void relay
        .close()
        .then(() => crashes?.close())
        .then(() => {
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          io.out("relay stopped\n");
          resolve();
        });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
