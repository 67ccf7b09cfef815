import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import type { PrimaryLink, ReadinessReport } from "@org/relay-core";
import type { Logger } from "pino";
import { RelayCliError } from "./config-error.js";
import type { RawRelayConfig } from "./config-schema.js";

/** The relay command, which an ingest worker process runs as `relay worker`. */
const RELAY_BIN = fileURLToPath(new URL("../bin/relay.js", import.meta.url));
/** Where a worker process finds the configuration its primary loaded (flags and environment applied). */
export const WORKER_CONFIG_ENV = "RELAY_WORKER_CONFIG";
/** A worker that dies sooner than this after it started is replaced only after this long (no crash loop). */
const RESTART_BACKOFF_MS = 1000;

/** The ingest worker processes of a relay, kept at their number by the primary. */
export interface WorkerSet {
  /** The port they share (the primary holds the socket and hands connections round). */
  readonly port: number;
  readonly tlsPort: number | undefined;
  /** Workers listening now. */
  alive(): number;
  /** Process ids of the workers listening now. */
  pids(): number[];
  /** Asks every worker to stop: requests in flight get `timeoutMs` to finish. Resolves once all have exited. */
  stop(timeoutMs: number): Promise<void>;
}

/** What an ingest worker is told at its start: the config folder and the configuration its primary loaded (flags and environment applied). */
export interface WorkerConfig {
  readonly dir: string;
  readonly config: RawRelayConfig;
}

/** Options of {@link startWorkers}. */
export interface WorkerSetOptions {
  readonly count: number;
  readonly worker: WorkerConfig;
  readonly link: PrimaryLink;
  readonly logger: Logger;
  /** Called when a worker starts listening or exits. */
  readonly onChange: () => void;
}

/**
 * Forks `count` ingest workers (`node:cluster`: they all listen on one port) and resolves once all
 * of them listen. A worker that exits is replaced, unless the set is stopping. Rejects, with every
 * worker stopped, when one cannot start.
 */
export function startWorkers(options: WorkerSetOptions): Promise<WorkerSet> {
  const { count, link, logger } = options;
  // The workers accept from the shared socket themselves: a worker that dies takes only the
  // connections it had accepted with it. With round robin, a connection the primary was handing to
  // a worker as it died is left open, unanswered, until its client gives up.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: RELAY_BIN, args: ["worker"] });
  const env = { [WORKER_CONFIG_ENV]: JSON.stringify(options.worker) };
  const listening = new Map<number, Worker>();
  const all = new Set<Worker>();
  let stopping = false;
  let started = false;
  let ports: { port: number; tlsPort: number | undefined } | undefined;

  return new Promise<WorkerSet>((resolve, reject) => {
    const set: WorkerSet = {
      get port() {
        return ports?.port ?? 0;
      },
      get tlsPort() {
        return ports?.tlsPort;
      },
      alive: () => listening.size,
      pids: () => [...listening.values()].map((worker) => worker.process.pid ?? 0),
      async stop(timeoutMs) {
        stopping = true;
        const exits = [...all].map((worker) => new Promise<void>((done) => {
          if (worker.isDead()) done();
          else worker.once("exit", () => { done(); });
        }));
        for (const worker of all) {
          try {
            worker.send({ relay: "stop", timeoutMs });
          } catch {
            // Its channel is closed: it is exiting already.
          }
        }
        // A worker that outlives its time (stuck, say) is killed: what it acknowledged is spooled already.
        const killer = setTimeout(() => {
          for (const worker of all) if (!worker.isDead()) worker.process.kill("SIGKILL");
        }, timeoutMs + 5000);
        await Promise.all(exits);
        clearTimeout(killer);
      },
    };
    const fail = (message: string): void => {
      if (started || stopping) return;
      void set.stop(0).then(() => {
        reject(new RelayCliError("startup_failed", `an ingest worker could not start: ${message}`));
      });
    };
    const fork = (): void => {
      const bornAt = Date.now();
      const worker = cluster.fork(env);
      all.add(worker);
      // A message to a worker whose channel just closed: its exit is on the way and handled there.
      worker.on("error", (error) => {
        logger.debug({ worker: worker.id, err: error }, "could not reach an ingest worker");
      });
      link.attach(worker, {
        onListening: (port, tlsPort) => {
          ports ??= { port, tlsPort };
          listening.set(worker.id, worker);
          logger.info({ worker: worker.id, pid: worker.process.pid }, "ingest worker listening");
          options.onChange();
          if (!started && listening.size === count) {
            started = true;
            resolve(set);
          }
        },
        onFailed: (message) => {
          logger.error({ worker: worker.id }, `ingest worker could not start: ${message}`);
          fail(message);
        },
      });
      worker.on("exit", (code, signal) => {
        all.delete(worker);
        listening.delete(worker.id);
        link.detach(worker);
        options.onChange();
        if (stopping) return;
        if (!started) {
          fail(`worker ${worker.id} exited (${signal || `code ${String(code)}`})`);
          return;
        }
        logger.warn({ worker: worker.id, code, signal }, "an ingest worker exited; starting another");
        if (Date.now() - bornAt < RESTART_BACKOFF_MS) setTimeout(fork, RESTART_BACKOFF_MS).unref();
        else fork();
      });
    };
    for (let index = 0; index < count; index++) fork();
  });
}

/** The readiness of the whole relay: the primary's own, and every worker listening. */
export function wholeReadiness(primary: ReadinessReport, alive: number, count: number): ReadinessReport {
  const reasons = primary.ready ? [] : [...primary.reasons];
  if (alive < count) reasons.push(`${alive} of ${count} ingest workers running`);
  return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
}
