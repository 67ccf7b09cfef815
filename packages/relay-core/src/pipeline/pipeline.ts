import type { Logger } from "pino";
import type { Outcome, OutcomeKind, OutcomeSink } from "../outcomes.js";
import type { ClaimedEnvelope, Spool } from "../spool/spool.js";

/** A processed envelope, ready to be delivered. */
export interface ReadyEnvelope {
  readonly source: ClaimedEnvelope;
  /** The envelope to deliver, after normalization, scrubbing and filtering. */
  readonly payload: Uint8Array;
  /** Item types left after filtering, in order. */
  readonly itemTypes: readonly string[];
  /** A one-line description for people (listings, logs). */
  readonly title: string;
  /** Outcomes to record once the envelope is delivered. */
  readonly outcomes: readonly Outcome[];
}

/** The result of processing one spooled envelope. */
export type Processed =
  | { readonly kind: "deliver"; readonly envelope: ReadyEnvelope; readonly dropped: readonly Outcome[] }
  | { readonly kind: "drop"; readonly dropped: readonly Outcome[] }
  /** Processing cannot happen yet (the project's config is not available): try again later. */
  | { readonly kind: "defer"; readonly reason: string };

/** The result of a delivery attempt. */
export type DeliveryResult =
  | { readonly status: "delivered" }
  | { readonly status: "retry"; readonly delayMs?: number | undefined; readonly reason: string }
  /** Refused for good; counted as `outcome` (default `rejected_upstream`). */
  | { readonly status: "rejected"; readonly reason: string; readonly outcome?: OutcomeKind | undefined };

/** Where processed envelopes go: the upstream, or the capture store. */
export interface Delivery {
  deliver(envelope: ReadyEnvelope): Promise<DeliveryResult>;
  /**
   * `undefined` when deliveries can be made now, or a promise that resolves when they can again
   * (the upstream is down, the relay not yet registered); the pipeline claims nothing meanwhile.
   */
  available?(): Promise<void> | undefined;
}

/** Options of {@link Pipeline}. */
export interface PipelineOptions {
  readonly spool: Spool;
  readonly process: (envelope: ClaimedEnvelope) => Promise<Processed>;
  readonly delivery: Delivery;
  readonly outcomes: OutcomeSink;
  readonly logger: Logger;
  /** Envelopes processed and delivered at the same time. */
  readonly concurrency: number;
  /** Delay before processing an envelope again whose project config was not available. */
  readonly deferMs?: number;
  /** How long to sleep when the spool has nothing due. */
  readonly idleMs?: number;
  /** Delay before retrying an envelope whose delivery failed `attempts` times. */
  readonly retryDelay?: (attempts: number) => number;
  /** Told about every unexpected error while processing an envelope (crash reporting). */
  readonly onError?: (error: unknown, envelope: ClaimedEnvelope) => void;
}

/**
 * Processing that throws this many times for one envelope (counted while the relay runs) is a bug
 * in the relay, not an outage.
 */
const MAX_PROCESSING_ATTEMPTS = 5;

/** Capped exponential backoff: 1 s, 1.5 s, 2.25 s ... up to 60 s. */
export function defaultRetryDelay(attempts: number): number {
  return Math.min(60_000, 1_000 * 1.5 ** attempts);
}

/**
 * Moves envelopes from the spool to their delivery: claims what is due, processes it, delivers
 * it, and only then removes it from the spool. A failed delivery goes back to the spool with a
 * delay; an envelope is never dropped unless processing filtered it or the receiver refused it
 * for good.
 */
export class Pipeline {
  private readonly options: PipelineOptions;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Removals from the spool not yet done: an envelope's slot is free once it is delivered. */
  private readonly removing = new Set<Promise<void>>();
  /** Consecutive failed reads of the spool. */
  private claimFailures = 0;
  /** Processing failures per envelope id (delivery retries during an outage do not count). */
  private readonly failures = new Map<string, number>();

  constructor(options: PipelineOptions) {
    this.options = options;
  }

  /** Starts moving envelopes. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Tells the pipeline that new envelopes were spooled. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops claiming and waits up to `timeoutMs` for the envelopes in flight. Whatever is not
   * delivered by then stays in the spool for the next start.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.loop, ...this.inFlight]).then(() => Promise.all(this.removing)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const { spool, concurrency } = this.options;
    while (this.running) {
      const gate = this.options.delivery.available?.();
      if (gate) {
        await Promise.race([gate, this.sleep()]);
        continue;
      }
      const free = concurrency - this.inFlight.size;
      let claimed: ClaimedEnvelope[] = [];
      // Claims come in batches (a quarter of the slots), not one per finished envelope: each claim
      // is a read of the spool.
      if (free > 0 && (free >= Math.ceil(concurrency / 4) || this.inFlight.size === 0)) {
        try {
          claimed = await spool.claim(free);
          if (this.claimFailures > 0) {
            this.options.logger.info({ failedReads: this.claimFailures }, "reading from the spool works again");
            this.claimFailures = 0;
          }
        } catch (error) {
          // A spool that stays unreadable (its servers are down) is reported once, not every turn.
          if (this.claimFailures++ === 0) this.options.logger.error({ err: error }, "could not read from the spool; retrying");
        }
      }
      for (const envelope of claimed) {
        const task = this.handle(envelope).finally(() => {
          this.inFlight.delete(task);
          this.wake();
        });
        this.inFlight.add(task);
      }
      if (claimed.length === 0 || concurrency - this.inFlight.size < Math.ceil(concurrency / 4)) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.idleMs ?? 1_000);
      this.wakeUp = done;
    });
  }

  /**
   * Removes a delivered (or finally refused) envelope from the spool without holding its slot
   * meanwhile: a spool may wait to remove several at once. Should the removal fail, the envelope
   * is delivered again after a restart, never lost.
   */
  private remove(envelope: ClaimedEnvelope): void {
    // A spool that throws at once (closed) fails the removal like one that rejects.
    const removal = (async () => this.options.spool.ack([envelope.handle]))().catch((error: unknown) => {
      this.options.logger.error({ err: error, envelopeId: envelope.id }, "could not remove a delivered envelope from the spool; it may be delivered again");
    });
    this.removing.add(removal);
    void removal.finally(() => this.removing.delete(removal));
  }

  private async handle(envelope: ClaimedEnvelope): Promise<void> {
    const { spool, delivery, outcomes, logger } = this.options;
    const retryDelay = this.options.retryDelay ?? defaultRetryDelay;
    try {
      const processed = await this.options.process(envelope);
      if (processed.kind === "defer") {
        logger.debug({ envelopeId: envelope.id, reason: processed.reason }, "processing deferred");
        await spool.retry([envelope.handle], this.options.deferMs ?? 1_000);
        return;
      }
      for (const outcome of processed.dropped) outcomes.record(outcome);
      if (processed.kind === "drop") {
        this.failures.delete(envelope.id);
        this.remove(envelope);
        return;
      }
      const result = await delivery.deliver(processed.envelope);
      if (result.status !== "retry") this.failures.delete(envelope.id);
      switch (result.status) {
        case "delivered":
          this.remove(envelope);
          for (const outcome of processed.envelope.outcomes) outcomes.record(outcome);
          return;
        case "rejected":
          if (result.outcome === "rate_limited") logger.debug({ envelopeId: envelope.id }, "dropped an envelope whose data is rate limited");
          else logger.warn({ envelopeId: envelope.id, reason: result.reason }, "the receiver refused an envelope for good");
          this.remove(envelope);
          for (const outcome of processed.envelope.outcomes) {
            outcomes.record({ ...outcome, kind: result.outcome ?? "rejected_upstream", reason: result.reason });
          }
          return;
        case "retry":
          logger.debug({ envelopeId: envelope.id, reason: result.reason }, "delivery failed; will retry");
          await spool.retry([envelope.handle], result.delayMs ?? retryDelay(envelope.attempts));
          return;
      }
    } catch (error) {
      this.options.onError?.(error, envelope);
      const failures = (this.failures.get(envelope.id) ?? 0) + 1;
      this.failures.set(envelope.id, failures);
      if (failures >= MAX_PROCESSING_ATTEMPTS) {
        this.failures.delete(envelope.id);
        logger.error({ err: error, envelopeId: envelope.id }, "processing an envelope failed repeatedly; dropping it");
        await spool.ack([envelope.handle]).catch((ackError: unknown) => {
          logger.error({ err: ackError }, "could not remove an envelope from the spool");
        });
        outcomes.record({ kind: "invalid", reason: "internal", category: "default", projectId: envelope.projectId, quantity: 1 });
        return;
      }
      logger.error({ err: error, envelopeId: envelope.id }, "processing an envelope failed; will retry");
      await spool.retry([envelope.handle], retryDelay(envelope.attempts)).catch((retryError: unknown) => {
        logger.error({ err: retryError }, "could not return an envelope to the spool");
      });
    }
  }
}
