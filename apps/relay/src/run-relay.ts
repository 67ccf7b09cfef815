import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRelayService,
  HTTP_SHARE_OF_SHUTDOWN,
  PrimaryLink,
  SharedRateLimitCache,
  logCaptures,
  openCaptureStore,
  type CaptureStore,
  type OutcomeSink,
  type RelayCredentials,
  type RelayService,
  type Spool,
} from "@org/relay-core";
import type { Logger } from "pino";
import type { LoadedConfig } from "./load-config.js";
import { createLogger } from "./logger.js";
import { bannerAddresses, formatBanner, type BannerFacts } from "./relay-banner.js";
import { createCrashReporter, type CrashReporter } from "./crash-reporting.js";
import { listenOn } from "./relay-listeners.js";
import { countOutcomes, createMetrics, reportSpoolGauges, serveMetrics, type RelayMetricSinks } from "./relay-metrics.js";
import type { RelaySettings } from "./relay-settings.js";
import { openSpool, spoolFolder } from "./relay-spool.js";
import { loadProjects, loadUpstreamIdentity, upstreamFor } from "./relay-upstream.js";
import { loadTlsSettings, type TlsSettings } from "./tls.js";
import { startWorkers, wholeReadiness, type WorkerSet } from "./relay-workers.js";

/** Output streams of the command. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
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

/** Options of {@link startRelay}. */
export interface StartRelayOptions {
  readonly loaded: LoadedConfig;
  readonly io: CommandIo;
  /** Said to the log first (where the configuration came from, say). */
  readonly notices?: readonly string[] | undefined;
  /** Logs for a terminal (`logging.format: auto`). */
  readonly isTty?: boolean | undefined;
  readonly crashes?: CrashReporter | undefined;
  /** By default, one made from `logging.*`. */
  readonly logger?: Logger | undefined;
  /** Where `RELAY_ID` and `RELAY_SECRET_KEY` are read from; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** The relay's version, sent upstream. */
  readonly version?: string | undefined;
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

/** The primary's logger (a child named so beside ingest workers), after it has said the notices and warnings. */
function startLogging(options: StartRelayOptions): Logger {
  const { loaded } = options;
  let logger = options.logger ?? createLogger(loaded.settings.logging, options.isTty ?? false);
  // With ingest workers, this process is the primary: it processes, delivers and talks to the upstream.
  if (loaded.settings.listen.workers > 1) logger = logger.child({ worker: "primary" });
  for (const notice of [...(options.notices ?? []), ...loaded.notices]) logger.info(notice);
  for (const warning of loaded.warnings) logger.warn(warning);
  return logger;
}

/** The parts a relay keeps its data in: the spool, and capture mode's store. */
interface Storage {
  readonly spool: Spool;
  readonly captureStore: CaptureStore | undefined;
  /** Where outcomes of envelopes the spool drops for their age go; the service's sink once it exists. */
  expiredTo: OutcomeSink;
}

/** Opens the spool (shared with ingest workers when there are any) and capture mode's store. */
async function openStorage(context: { readonly settings: RelaySettings; readonly dir: string; readonly logger: Logger; readonly outcomes: OutcomeSink }): Promise<Storage> {
  const { settings, dir, logger } = context;
  const storage: { expiredTo: OutcomeSink } = { expiredTo: context.outcomes };
  const spool = await openSpool({
    settings,
    dir,
    logger,
    onExpired: (outcome) => {
      storage.expiredTo.record(outcome);
    },
    shared: settings.listen.workers > 1,
  });
  const captureStore = settings.mode === "capture" ? openCaptureStore(join(spoolFolder(settings, dir), "captured.sqlite"), settings.captureMaxEvents) : undefined;
  return Object.assign(storage, { spool, captureStore });
}

/** Everything {@link composeService} wires together. */
interface ServiceParts {
  readonly settings: RelaySettings;
  readonly dir: string;
  readonly logger: Logger;
  readonly storage: Storage;
  readonly sinks: RelayMetricSinks;
  readonly outcomes: OutcomeSink;
  readonly credentials: RelayCredentials | undefined;
  readonly version: string;
  readonly crashes: CrashReporter | undefined;
  readonly link: PrimaryLink | undefined;
}

/** The relay service of this process: pipeline, upstream, and the HTTP app (which ingest workers do not need to listen). */
async function composeService(parts: ServiceParts): Promise<RelayService> {
  const { settings, logger, storage, link, crashes } = parts;
  const service = createRelayService({
    http: settings.http,
    spool: storage.spool,
    logger,
    outcomes: parts.outcomes,
    globalScrubbing: settings.globalScrubbing,
    metrics: parts.sinks.metrics,
    captureStore: storage.captureStore,
    projects: await loadProjects({ settings, dir: parts.dir, logger }),
    upstream: upstreamFor({ settings, version: parts.version, credentials: parts.credentials }),
    concurrency: settings.concurrency,
    processingThreads: settings.processingThreads,
    idleMs: 500,
    onPipelineError: (error, envelope) => {
      crashes?.report(error, { client: envelope.context.client, where: "pipeline" });
    },
    onInternalError: (error, request) => {
      crashes?.report(error, { userAgent: request.userAgent, where: `${request.method} ${request.url}` });
    },
    outcomeReports: settings.outcomeReports,
    readiness: settings.readiness,
    downstream: settings.downstream,
    rateLimits: link ? new SharedRateLimitCache(link.broadcast) : undefined,
  });
  storage.expiredTo = service.outcomes;
  link?.serve({
    projects: service.projects,
    outcomes: service.outcomes,
    wake: () => {
      service.pipeline.wake();
    },
  });
  serveMetrics(service.app, parts.sinks);
  return service;
}

/** Where the relay's listeners ended up, and how to stop its ingest workers (when it has some). */
interface Listeners {
  readonly port: number;
  readonly tlsPort: number | undefined;
  readonly workers: WorkerSet | undefined;
  /** Stops telling the workers the whole relay's readiness. */
  readonly stopReadiness: () => void;
}

/** What {@link listen} needs: the service, the TLS settings, and the link to ingest workers when there are some. */
interface ListenContext {
  readonly loaded: LoadedConfig;
  readonly service: RelayService;
  readonly sinks: RelayMetricSinks;
  readonly tls: TlsSettings | undefined;
  readonly link: PrimaryLink | undefined;
  readonly logger: Logger;
}

/** Listens on `relay.port` (and `relay.tls_port`) in this process, or starts ingest workers that do. */
async function listen(context: ListenContext): Promise<Listeners> {
  const { service, link, tls } = context;
  const { host, port, workers: count } = context.loaded.settings.listen;
  if (link) {
    // Workers report while they start, before the set exists.
    const started: { workers?: WorkerSet } = {};
    const tell = (): void => {
      link.setReadiness(wholeReadiness(service.readiness.check(), started.workers?.alive() ?? 0, count));
    };
    const workers = await startWorkers({ count, worker: { dir: context.loaded.dir, config: context.loaded.config }, link, logger: context.logger, onChange: tell });
    tell();
    started.workers = workers;
    const timer = setInterval(tell, 1000);
    timer.unref();
    return {
      port: workers.port,
      tlsPort: tls ? (workers.tlsPort ?? tls.port) : undefined,
      workers,
      stopReadiness: () => {
        clearInterval(timer);
      },
    };
  }
  const httpPort = await listenOn(service.app, { host, port, key: "relay.port" });
  let tlsPort: number | undefined;
  if (tls) {
    // HTTPS beside plain HTTP: a second app on the same service, closed with it.
    const tlsApp = service.buildApp({ https: tls.options });
    serveMetrics(tlsApp, context.sinks);
    tlsPort = await listenOn(tlsApp, { host, port: tls.port, key: "relay.tls_port" });
  }
  return { port: httpPort, tlsPort, workers: undefined, stopReadiness: () => undefined };
}

/** What runs once the relay listens; all unset when start-up stopped before. */
interface Running {
  listeners?: Listeners;
  stopGauges?: () => void;
  stopCaptureLog?: () => void;
}

/** A relay's parts, for {@link shutDown}. */
interface RelayParts {
  readonly settings: RelaySettings;
  readonly service: RelayService;
  readonly storage: Storage;
  readonly sinks: RelayMetricSinks;
  readonly logger: Logger;
  readonly link: PrimaryLink | undefined;
  readonly running: Running;
}

/** Stops a relay's parts in order, within `limits.shutdown_timeout`. */
async function shutDown(parts: RelayParts): Promise<void> {
  const { service, running } = parts;
  const { listeners } = running;
  running.stopGauges?.();
  listeners?.stopReadiness();
  const timeoutMs = parts.settings.shutdownTimeoutMs;
  const startedAt = Date.now();
  if (listeners?.workers) {
    // The workers finish the requests in flight (their answers wait for the spool); the pipeline
    // keeps delivering meanwhile, then gets the rest of the time.
    service.readiness.shutDown();
    parts.link?.setReadiness(service.readiness.check());
    await listeners.workers.stop(timeoutMs * HTTP_SHARE_OF_SHUTDOWN);
  }
  await service.close(Math.max(0, timeoutMs - (Date.now() - startedAt)));
  running.stopCaptureLog?.();
  await parts.storage.spool.close();
  parts.storage.captureStore?.close();
  await parts.sinks.statsd?.close();
  parts.logger.flush();
}

/** Starts the relay described by a loaded configuration. */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const { loaded, io } = options;
  const { settings, dir } = loaded;
  const version = options.version ?? "0.0.0";
  const logger = startLogging(options);
  const credentials = await loadUpstreamIdentity({ settings, dir, env: options.env ?? process.env });
  // Checked before anything is opened: a TLS mistake stops start-up with its own message.
  const tls = loadTlsSettings(settings.tls, { port: settings.listen.port, dir, locate: loaded.locate });

  const sinks = createMetrics(settings.metrics, logger);
  const outcomes = countOutcomes(sinks);
  const storage = await openStorage({ settings, dir, logger, outcomes });
  const link = settings.listen.workers > 1 ? new PrimaryLink(logger) : undefined;
  const service = await composeService({ settings, dir, logger, storage, sinks, outcomes, credentials, version, crashes: options.crashes, link });
  const running: Running = {};
  const release = (): Promise<void> => shutDown({ settings, service, storage, sinks, logger, link, running });
  let listeners: Listeners;
  try {
    listeners = await listen({ loaded, service, sinks, tls, link, logger });
  } catch (error) {
    await release();
    throw error;
  }
  running.listeners = listeners;
  service.start();
  running.stopGauges = reportSpoolGauges(storage.spool, sinks);

  const facts: BannerFacts = {
    mode: settings.mode,
    host: settings.listen.host,
    port: listeners.port,
    tlsPort: listeners.tlsPort,
    captureKey: settings.mode === "capture" ? captureKey(dir) : undefined,
    upstream: settings.mode === "capture" ? undefined : settings.upstream.url,
    credentials,
    workers: listeners.workers ? { count: settings.listen.workers, pids: listeners.workers.pids() } : undefined,
  };
  const { url, dsn } = bannerAddresses(facts);
  if (storage.captureStore) running.stopCaptureLog = logCaptures(storage.captureStore, logger, { pageUrl: url });
  io.out(formatBanner(facts));

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

/** Options of {@link runRelay}. */
export interface RunRelayOptions {
  readonly loaded: LoadedConfig;
  readonly notices: readonly string[];
  readonly io: CommandIo;
  readonly version: string;
}

/** Runs the relay until SIGTERM or SIGINT, then shuts down gracefully. */
export async function runRelay(options: RunRelayOptions): Promise<void> {
  const { loaded, io, version } = options;
  const logger = createLogger(loaded.settings.logging, process.stdout.isTTY);
  const crashes = createCrashReporter({ settings: loaded.settings, version, logger });
  let relay: RunningRelay;
  try {
    relay = await startRelay({ loaded, notices: options.notices, io, isTty: process.stdout.isTTY, crashes, logger, env: process.env, version });
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
