import type { Outcome, OutcomeSink } from "../outcomes.js";

/** Where a client report's entries go: Sentry's names for them. */
export type ClientReportList = "discarded_events" | "rate_limited_events" | "filtered_events";

/** One aggregated line: what was lost, for one project key, since the last flush. */
export interface AggregatedOutcome {
  readonly projectId: string;
  /** `undefined` for data whose key the relay never learned. */
  readonly publicKey: string | undefined;
  readonly kind: Outcome["kind"];
  readonly reason: string;
  readonly category: Outcome["category"];
  readonly quantity: number;
}

/** Sends one batch of aggregated outcomes upstream; may fail (the batch is then lost, as in Relay). */
export type OutcomeSender = (batch: readonly AggregatedOutcome[], timestamp: Date) => Promise<void>;

/** Options of {@link OutcomeAggregator}. */
export interface OutcomeAggregatorOptions {
  /** Where every outcome goes as well (counters, metrics). */
  readonly next: OutcomeSink;
  readonly send: OutcomeSender;
  /** How often aggregated outcomes are sent (Relay: 120 s). */
  readonly flushIntervalMs: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
  /** Told when a batch could not be sent. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** The client report list an outcome belongs in, or `undefined` for data that was not lost. */
export function clientReportList(kind: Outcome["kind"]): ClientReportList | undefined {
  switch (kind) {
    case "accepted":
      return undefined;
    case "filtered":
      return "filtered_events";
    case "rate_limited":
      return "rate_limited_events";
    case "invalid":
    case "expired":
    case "rejected_upstream":
    case "client_discard":
      return "discarded_events";
  }
}

/**
 * Aggregates every outcome of lost data (filtered, rate limited, invalid or too large, expired,
 * refused upstream, and the SDKs' own client reports) by project, key, kind, reason and category,
 * and sends the totals upstream every `flushIntervalMs`, so that Sentry's stats explain every
 * missing event. Every outcome is passed on to `next` as well.
 */
export class OutcomeAggregator implements OutcomeSink {
  private readonly options: OutcomeAggregatorOptions;
  private pending = new Map<string, AggregatedOutcome>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(options: OutcomeAggregatorOptions) {
    this.options = options;
  }

  record(outcome: Outcome): void {
    this.options.next.record(outcome);
    if (clientReportList(outcome.kind) === undefined || outcome.category === "internal" || outcome.quantity <= 0) return;
    const reason = outcome.reason ?? outcome.kind;
    const key = [outcome.projectId, outcome.publicKey ?? "", outcome.kind, reason, outcome.category].join("\u0000");
    const previous = this.pending.get(key);
    this.pending.set(key, {
      projectId: outcome.projectId,
      publicKey: outcome.publicKey,
      kind: outcome.kind,
      reason,
      category: outcome.category,
      quantity: (previous?.quantity ?? 0) + outcome.quantity,
    });
  }

  /** Starts sending on the interval. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Sends what is aggregated now (one send at a time); resolves when it is sent or failed. */
  flush(): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.options.send(batch, new Date((this.options.now ?? Date.now)()));
      } catch (error) {
        this.options.onError?.(error);
      }
    });
    return this.sending;
  }

  /** Stops the interval and sends what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
