import type { ActiveLimit } from "@org/protocol/rate-limits";
import type { Logger } from "pino";
import type { ReadinessReport } from "../health/readiness.js";
import type { OutcomeSink } from "../outcomes.js";
import { ProjectStateUnavailable, type ProjectStates } from "../projects/project-state.js";
import { RateLimitCache } from "../upstream/rate-limit-cache.js";
import { isRelayMessage, type IpcChannel, type PrimaryMessage, type WorkerMessage } from "./cluster-messages.js";

/** Sends, unless the worker's channel is closed already (it is exiting: its exit is handled). */
function send(worker: IpcChannel<PrimaryMessage, unknown>, message: PrimaryMessage): void {
  if (worker.isConnected?.() === false) return;
  try {
    worker.send(message);
  } catch {
    // A closed channel: the worker is gone or going.
  }
}

/** What the primary answers its workers with: its own parts, once the relay service exists. */
export interface PrimaryParts {
  readonly projects: ProjectStates;
  readonly outcomes: OutcomeSink;
  /** Wakes the pipeline: a worker spooled envelopes. */
  readonly wake: () => void;
}

/**
 * A rate-limit cache that tells every ingest worker about the limits it learns, so that workers
 * answer 429 at the door as a single relay does. A worker started later learns only the limits
 * found after it started; the data it takes meanwhile is dropped by the primary's processing.
 */
export class SharedRateLimitCache extends RateLimitCache {
  private readonly broadcast: (message: PrimaryMessage) => void;

  constructor(broadcast: (message: PrimaryMessage) => void, now?: () => number) {
    super(now);
    this.broadcast = broadcast;
  }

  override record(projectId: string, publicKey: string, limits: readonly ActiveLimit[]): void {
    super.record(projectId, publicKey, limits);
    this.broadcast({ relay: "rate_limits", projectId, publicKey, limits });
  }

  override noteOrganization(projectId: string, organizationId: string | undefined): void {
    super.noteOrganization(projectId, organizationId);
    if (organizationId !== undefined) this.broadcast({ relay: "organization", projectId, organizationId });
  }
}

/** What the process that forks workers hears from one of them. */
export interface WorkerEvents {
  readonly onListening?: ((port: number, tlsPort: number | undefined) => void) | undefined;
  readonly onFailed?: ((message: string) => void) | undefined;
}

/** The primary side of a relay running as several processes: answers and informs its ingest workers. */
export class PrimaryLink {
  private readonly workers = new Set<IpcChannel<PrimaryMessage, unknown>>();
  private readonly logger: Logger;
  private parts: PrimaryParts | undefined;
  private report: ReadinessReport = { ready: false, reasons: ["starting"] };

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** The parts that answer workers; messages that arrive before are answered once they are set. */
  serve(parts: PrimaryParts): void {
    this.parts = parts;
  }

  /** Sends `message` to every worker attached. */
  readonly broadcast = (message: PrimaryMessage): void => {
    for (const worker of this.workers) send(worker, message);
  };

  /** Tells every worker (and those attached later) how ready the relay is. */
  setReadiness(report: ReadinessReport): void {
    this.report = report;
    this.broadcast({ relay: "readiness", report });
  }

  /** Starts answering a worker; `events` hears when it listens, or why it could not start. */
  attach(worker: IpcChannel<PrimaryMessage, unknown>, events: WorkerEvents = {}): void {
    this.workers.add(worker);
    send(worker, { relay: "readiness", report: this.report });
    worker.on("message", (message) => {
      if (!isRelayMessage(message)) return;
      void this.answer(worker, message as WorkerMessage, events).catch((error: unknown) => {
        this.logger.warn({ err: error }, "could not answer an ingest worker");
      });
    });
  }

  /** Stops sending to a worker that exited. */
  detach(worker: IpcChannel<PrimaryMessage, unknown>): void {
    this.workers.delete(worker);
  }

  private async answer(worker: IpcChannel<PrimaryMessage, unknown>, message: WorkerMessage, events: WorkerEvents): Promise<void> {
    const parts = this.parts;
    switch (message.relay) {
      case "listening":
        events.onListening?.(message.port, message.tlsPort);
        return;
      case "failed":
        events.onFailed?.(message.message);
        return;
      case "accepted":
        parts?.wake();
        return;
      case "outcomes":
        for (const outcome of message.outcomes) parts?.outcomes.record(outcome);
        return;
      case "peek":
        send(worker, { relay: "peek", id: message.id, state: parts?.projects.peekByKey?.(message.publicKey) });
        return;
      case "project":
        if (!parts) {
          send(worker, { relay: "project", id: message.id, unavailable: "the relay is starting" });
          return;
        }
        try {
          const state = await parts.projects.get(message.projectId, message.publicKey);
          send(worker, { relay: "project", id: message.id, state: state ?? null });
        } catch (error) {
          // The worker keeps the data and processing checks it later, as when the upstream is down.
          if (!(error instanceof ProjectStateUnavailable)) this.logger.warn({ err: error }, "project lookup for an ingest worker failed");
          send(worker, { relay: "project", id: message.id, unavailable: (error as Error).message });
        }
        return;
    }
  }
}
