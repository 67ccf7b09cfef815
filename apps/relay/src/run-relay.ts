import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildRelay,
  captureDelivery,
  openCaptureStore,
  openSqliteSpool,
  OutcomeCounter,
  permissiveProjectStates,
  Pipeline,
  createEnvelopeProcessor,
  type ProjectStates,
} from "@org/relay-core";
import { RelayCliError } from "./config-error.js";
import type { LoadedConfig } from "./load-config.js";
import { createLogger } from "./logger.js";
import { resolveRelayOptions } from "./relay-settings.js";
import { createStatsdMetrics, outcomesToMetrics } from "./statsd-metrics.js";
import { createCrashReporter, type CrashReporter } from "./crash-reporting.js";

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

/** Starts the relay described by a loaded configuration. */
export async function startRelay(
  loaded: LoadedConfig,
  notices: readonly string[],
  io: CommandIo,
  isTty = false,
  crashes?: CrashReporter,
  logger = createLogger(loaded.config.logging.level, loaded.config.logging.format, isTty),
): Promise<RunningRelay> {
  const { config, dir } = loaded;
  for (const notice of [...notices, ...loaded.notices]) logger.info(notice);
  const options = resolveRelayOptions(config);
  if (options.mode !== "capture") {
    throw new RelayCliError(
      "startup_failed",
      `mode ${options.mode} forwards to an upstream, which this version cannot do yet; use --mode capture`,
    );
  }

  const spoolDir = config.spool.path ?? join(dir, "spool");
  const metrics = config.metrics.statsd ? createStatsdMetrics(config.metrics.statsd, config.metrics.prefix, config.metrics.default_tags, logger) : undefined;
  const outcomes = metrics ? outcomesToMetrics(metrics, new OutcomeCounter()) : new OutcomeCounter();
  const spool = openSqliteSpool({
    path: join(spoolDir, "envelopes.sqlite"),
    maxBytes: options.spoolMaxBytes,
    maxAgeMs: config.spool.max_age * 1000,
    synchronous: config.spool.synchronous,
    onExpired: (expired) => {
      logger.warn({ count: expired.length }, "dropped spooled envelopes older than spool.max_age");
    },
  });
  const captureStore = openCaptureStore(join(spoolDir, "captured.sqlite"), config.capture.max_events);
  const projects: ProjectStates = permissiveProjectStates();

  const pipeline = new Pipeline({
    spool,
    process: createEnvelopeProcessor({ projects, globalScrubbing: options.globalScrubbing, outcomes }),
    delivery: captureDelivery(captureStore),
    outcomes,
    logger,
    concurrency: 100,
    idleMs: 500,
    onError: (error, envelope) => {
      crashes?.report(error, { client: envelope.context.client, where: "pipeline" });
    },
  });
  const app = buildRelay({
    options: options.http,
    projects,
    spool,
    logger,
    outcomes,
    captureStore,
    onAccepted: () => {
      pipeline.wake();
    },
    metrics,
    onInternalError: (error, request) => {
      crashes?.report(error, { userAgent: request.userAgent, where: `${request.method} ${request.url}` });
    },
  });
  const reportSpool = (): void => {
    const stats = spool.stats();
    metrics?.gauge("spool.depth", stats.depth);
    metrics?.gauge("spool.bytes", stats.bytes);
  };
  const spoolTimer = metrics ? setInterval(reportSpool, 10_000) : undefined;
  spoolTimer?.unref();
  try {
    await app.listen({ host: config.relay.host, port: config.relay.port });
  } catch (error) {
    await spool.close();
    captureStore.close();
    projects.close();
    throw new RelayCliError("startup_failed", `cannot listen on ${config.relay.host}:${config.relay.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  pipeline.start();
  reportSpool();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.relay.port;
  const host = config.relay.host.includes(":") ? `[${config.relay.host}]` : config.relay.host;
  const url = `http://${host}:${port}`;
  const dsn = `http://${captureKey(dir)}@${host}:${port}/1`;
  io.out(
    [
      `relay listening on ${url} in capture mode`,
      `  DSN for your SDK:   ${dsn}`,
      `  captured events:    ${url}/api/relay/events/`,
      "",
    ].join("\n"),
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    dsn,
    close() {
      closing ??= (async () => {
        clearInterval(spoolTimer);
        await app.close();
        await pipeline.stop(config.limits.shutdown_timeout * 1000);
        await spool.close();
        captureStore.close();
        projects.close();
        await metrics?.close();
        logger.flush();
      })();
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
    relay = await startRelay(loaded, notices, io, process.stdout.isTTY, crashes, logger);
  } catch (error) {
    // A relay that cannot start is exactly what its operators want to hear about.
    crashes?.report(error, { where: "startup" });
    await crashes?.close();
    throw error;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      void relay
        .close()
        .then(() => crashes?.close())
        .then(resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
