import cluster from "node:cluster";
import { HTTP_SHARE_OF_SHUTDOWN, createIngestService, linkToPrimary, type IngestService, type IpcChannel, type Spool, type WorkerMessage } from "@org/relay-core";
import { relayConfigSchema } from "./config-schema.js";
import { createCrashReporter } from "./crash-reporting.js";
import { createLogger } from "./logger.js";
import { listenOn } from "./relay-listeners.js";
import { createMetrics } from "./relay-metrics.js";
import { openSpool } from "./relay-spool.js";
import { loadProjects, upstreamFor } from "./relay-upstream.js";
import { WORKER_CONFIG_ENV, type WorkerConfig } from "./relay-workers.js";
import { loadTlsSettings } from "./tls.js";

/** How long a worker uses a project state the primary gave it before it asks again. */
const PROJECT_CACHE_MS = 1000;

/** Options of {@link runIngestWorker}. */
export interface IngestWorkerOptions {
  /** The relay's version, in its `User-Agent` upstream. */
  readonly version: string;
  /** Where the primary put the configuration ({@link WORKER_CONFIG_ENV}). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Runs one ingest worker of a relay with `relay.workers` above 1 (`relay worker`, started by the
 * primary with `node:cluster`): answers clients on the shared port and spools what it accepts into
 * the spool the primary drains, until the primary (or SIGTERM) tells it to stop.
 */
export async function runIngestWorker(options: IngestWorkerOptions): Promise<void> {
  const json = (options.env ?? process.env)[WORKER_CONFIG_ENV];
  if (!cluster.isWorker || json === undefined || !process.send) throw new Error("relay worker is started by relay run with relay.workers above 1");
  const { dir, config } = JSON.parse(json) as WorkerConfig;
  // The primary validated this configuration; parsing it again gives this process the same frozen settings.
  const { settings } = relayConfigSchema.parse(config);
  const channel = process as unknown as IpcChannel<WorkerMessage, unknown>;
  const logger = createLogger(settings.logging, process.stdout.isTTY).child({ worker: cluster.worker?.id });
  const crashes = createCrashReporter({ settings, version: options.version, logger });
  const link = linkToPrimary(channel, { projectCacheMs: PROJECT_CACHE_MS });
  const { statsd, metrics } = createMetrics(settings.metrics, logger);
  const { host, port } = settings.listen;
  let spool: Spool | undefined;
  let service: IngestService;
  try {
    const tls = loadTlsSettings(settings.tls, { port, dir });
    // Only the primary claims envelopes, so only it ever drops expired ones.
    spool = await openSpool({ settings, dir, logger, shared: true });
    service = createIngestService({
      http: settings.http,
      spool,
      logger,
      link,
      projects: await loadProjects({ settings, dir, logger }),
      metrics,
      upstream: upstreamFor({ settings, version: options.version, credentials: undefined }),
      downstream: settings.downstream,
      onInternalError: (error, request) => {
        crashes?.report(error, { userAgent: request.userAgent, where: `${request.method} ${request.url}` });
      },
    });
    const httpPort = await listenOn(service.app, { host, port, key: "relay.port" });
    const tlsPort = tls ? await listenOn(service.buildApp({ https: tls.options }), { host, port: tls.port, key: "relay.tls_port" }) : undefined;
    channel.send({ relay: "listening", port: httpPort, tlsPort });
  } catch (error) {
    channel.send({ relay: "failed", message: (error as Error).message });
    await spool?.close();
    process.exit(1);
  }
  const opened = spool;
  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs: number): Promise<void> =>
    (stopping ??= (async () => {
      logger.info("ingest worker stopping: finishing the requests in flight");
      await service.close(timeoutMs);
      await opened.close();
      await statsd?.close();
      await crashes?.close();
      logger.info("ingest worker stopped");
      logger.flush();
      process.exit(0);
    })());
  link.onStop((timeoutMs) => void stop(timeoutMs));
  // SIGTERM sent to this process alone (or to the whole group): drain as the primary would ask, in its share of the time.
  process.on("SIGTERM", () => void stop(settings.shutdownTimeoutMs * HTTP_SHARE_OF_SHUTDOWN));
  // The primary is gone (killed, say): nothing drains the spool or restarts workers; stop rather than linger on the port.
  process.on("disconnect", () => void stop(settings.shutdownTimeoutMs * HTTP_SHARE_OF_SHUTDOWN));
  // Ctrl-C reaches every process of the terminal's group: the primary decides, and tells the workers.
  process.on("SIGINT", () => undefined);
}
