import { join } from "node:path";
import { expiredOutcomes, openJetStreamSpool, openSqliteSpool, openWorkerSpool, type Outcome, type Spool, type SpooledEnvelope } from "@org/relay-core";
import type { Logger } from "pino";
import { RelayCliError } from "./config-error.js";
import type { RelaySettings } from "./relay-settings.js";

/** How long a write to a spool shared by ingest workers waits for another process's commit. */
const SHARED_SPOOL_BUSY_TIMEOUT_MS = 30_000;

/** Where the spool and capture databases live: `spool.path`, else `spool` in the config folder. */
export function spoolFolder(settings: RelaySettings, dir: string): string {
  return settings.spool.path ?? join(dir, "spool");
}

/** Options of {@link openSpool}. */
export interface OpenSpoolOptions {
  readonly settings: RelaySettings;
  /** The config folder. */
  readonly dir: string;
  readonly logger: Logger;
  /** Told about each envelope dropped for its age (the process that claims envelopes). */
  readonly onExpired?: ((outcome: Outcome) => void) | undefined;
  /**
   * Other processes of this relay (its ingest workers) write to the same SQLite database: sizes
   * are read from it again, and writers wait for each other's commits.
   */
  readonly shared?: boolean | undefined;
}

/** Opens the configured spool: SQLite (in a worker thread, by default) or a JetStream stream. */
export async function openSpool(options: OpenSpoolOptions): Promise<Spool> {
  const { settings, logger, shared = false } = options;
  const { spool } = settings;
  const path = join(spoolFolder(settings, options.dir), "envelopes.sqlite");
  try {
    if (spool.backend === "jetstream") {
      return await openJetStreamSpool({
        servers: spool.nats.servers,
        credentialsFile: spool.nats.credentials ?? undefined,
        stream: spool.nats.stream,
        consumer: spool.nats.consumer,
        replicas: spool.nats.replicas,
        maxBytes: spool.maxBytes,
        maxAgeMs: spool.maxAgeMs,
        ackWaitMs: spool.nats.ackWaitMs,
        name: `relay ${settings.listen.host}:${settings.listen.port}`,
      });
    }
    const sqliteOptions = {
      path,
      maxBytes: spool.maxBytes,
      maxAgeMs: spool.maxAgeMs,
      synchronous: spool.synchronous,
      shared,
      busyTimeoutMs: shared ? SHARED_SPOOL_BUSY_TIMEOUT_MS : undefined,
      onExpired: (expired: readonly SpooledEnvelope[]) => {
        logger.warn({ count: expired.length }, "dropped spooled envelopes older than spool.max_age");
        for (const outcome of expiredOutcomes(expired)) options.onExpired?.(outcome);
      },
    };
    return spool.workerThread ? await openWorkerSpool(sqliteOptions) : openSqliteSpool(sqliteOptions);
  } catch (error) {
    const where = spool.backend === "jetstream" ? `stream ${spool.nats.stream} at ${spool.nats.servers.join(",")}` : path;
    throw new RelayCliError("startup_failed", `cannot open the spool (${where}): ${(error as Error).message}`, { cause: error });
  }
}
