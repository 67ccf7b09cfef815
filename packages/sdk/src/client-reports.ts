/** Why the SDK did not send something, as Sentry's client reports name it. */
export type DiscardReason =
  | "sample_rate"
  | "before_send"
  | "event_processor"
  | "ratelimit_backoff"
  | "queue_overflow"
  | "network_error"
  | "send_error"
  | "internal_sdk_error";

/** Rate-limit category of what was discarded. */
export type DiscardCategory = "error" | "internal";

/** One line of a client report. */
export interface DiscardedEvents {
  readonly reason: DiscardReason;
  readonly category: DiscardCategory;
  readonly quantity: number;
}

/** The payload of a `client_report` envelope item. */
export interface ClientReport {
  /** Seconds since the epoch. */
  readonly timestamp: number;
  readonly discarded_events: DiscardedEvents[];
}

/** Counts what was discarded, by reason and category, until the counts are taken for a report. */
export class DiscardCounter {
  private counts = new Map<string, DiscardedEvents>();

  /** Counts `quantity` more of `category` discarded for `reason`. */
  record(reason: DiscardReason, category: DiscardCategory, quantity = 1): void {
    const key = `${reason}:${category}`;
    const previous = this.counts.get(key)?.quantity ?? 0;
    this.counts.set(key, { reason, category, quantity: previous + quantity });
  }

  /** What was counted so far, without resetting. */
  peek(): DiscardedEvents[] {
    return [...this.counts.values()];
  }

  /** A report of everything counted since the last one (undefined when nothing was), and a reset. */
  take(nowMs: number): ClientReport | undefined {
    if (this.counts.size === 0) return undefined;
    const discarded = [...this.counts.values()];
    this.counts = new Map();
    return { timestamp: nowMs / 1000, discarded_events: discarded };
  }
}
