import cluster from "node:cluster";
import { join } from "node:path";
import { createIngestService, linkToPrimary, loadStaticProjects, type IpcChannel, type ProjectStates, type Spool, type WorkerMessage } from "@org/relay-core";
import { createCrashReporter } from "./crash-reporting.js";
import type { LoadedConfig } from "./load-config.js";
import { createLogger } from "./logger.js";
import { resolveRelayOptions } from "./relay-settings.js";
import { createMetrics, downstreamSettings, openSpool, upstreamSettings } from "./run-relay.js";
import { WORKER_CONFIG_ENV } from "./relay-workers.js";
import { loadTlsSettings } from "./tls.js";

/** How long a worker uses a project state the primary gave it before it asks again. */
const PROJECT_CACHE_MS = 1000;

/**
 * Runs one ingest worker of a relay with `relay.workers` above 1 (`relay worker`, started by the
 * primary with `node:cluster`): answers clients on the shared port and spools what it accepts into
 * the spool the primary drains, until the primary (or SIGTERM) tells it to stop.
 */
export async function runIngestWorker(version: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const json = env[WORKER_CONFIG_ENV];
  if (!cluster.isWorker || json === undefined || !process.send) throw new Error("relay worker is started by relay run with relay.workers above 1");
  const loaded = JSON.parse(json) as LoadedConfig;
  const { config, dir } = loaded;
  const channel = process as unknown as IpcChannel<WorkerMessage, unknown>;
  const logger = createLogger(config.logging.level, config.logging.format, process.stdout.isTTY).child({ worker: cluster.worker?.id });
  const crashes = createCrashReporter(config, version, logger);
  const link = linkToPrimary(channel, { projectCacheMs: PROJECT_CACHE_MS });
  const options = resolveRelayOptions(config);
  const { statsd, metrics } = createMetrics(config, logger);
  let spool: Spool | undefined;
  let service: ReturnType<typeof createIngestService>;
  try {
    const tls = loadTlsSettings(config, dir);
    // Only the primary claims envelopes, so only it ever drops expired ones.
    spool = await openSpool(loaded, options.spoolMaxBytes, logger, () => undefined, true);
    let projects: ProjectStates | undefined;
    if (options.mode === "static") {
      projects = await loadStaticProjects(join(dir, "projects"), (file, problem) => {
        logger.warn({ file }, `project file problem: ${problem}`);
      });
    }
    service = createIngestService({
      http: options.http,
      spool,
      logger,
      link,
      projects,
      metrics,
      upstream: options.mode === "capture" ? undefined : upstreamSettings(config, version, undefined),
      downstream: downstreamSettings(config),
      onInternalError: (error, request) => {
        crashes?.report(error, { userAgent: request.userAgent, where: `${request.method} ${request.url}` });
      },
    });
    await service.app.listen({ host: config.relay.host, port: config.relay.port });
    let tlsPort: number | undefined;
    if (tls) {
      const tlsApp = service.buildApp({ https: tls.options });
      await tlsApp.listen({ host: config.relay.host, port: tls.port });
      const address = tlsApp.server.address();
      tlsPort = typeof address === "object" && address ? address.port : tls.port;
    }
    const address = service.app.server.address();
    channel.send({ relay: "listening", port: typeof address === "object" && address ? address.port : config.relay.port, tlsPort });
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
  // SIGTERM sent to this process alone (or to the whole group): drain as the primary would ask.
  process.on("SIGTERM", () => void stop(config.limits.shutdown_timeout * 500));
  // The primary is gone (killed, say): nothing drains the spool or restarts workers; stop rather than linger on the port.
  process.on("disconnect", () => void stop(config.limits.shutdown_timeout * 500));
  // Ctrl-C reaches every process of the terminal's group: the primary decides, and tells the workers.
  process.on("SIGINT", () => undefined);
}
