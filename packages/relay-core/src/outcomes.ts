import type { DataCategory } from "@org/protocol/rate-limits";

/** What became of an item the relay received. */
export type OutcomeKind = "accepted" | "filtered" | "invalid" | "rate_limited" | "expired" | "rejected_upstream";

/** One counted outcome, in the spirit of Sentry's outcomes. */
export interface Outcome {
  readonly kind: OutcomeKind;
  /** Why, for every kind but `accepted`: the filter name, the validation problem, the status... */
  readonly reason?: string | undefined;
  readonly category: DataCategory;
  readonly projectId: string;
  readonly quantity: number;
}

/** Receives outcomes; metrics exporters implement it. */
export interface OutcomeSink {
  record(outcome: Outcome): void;
}

/** An outcome sink that keeps running totals, keyed `kind:category[:reason]`. */
export class OutcomeCounter implements OutcomeSink {
  readonly totals = new Map<string, number>();

  record(outcome: Outcome): void {
    const key = [outcome.kind, outcome.category, outcome.reason].filter(Boolean).join(":");
    this.totals.set(key, (this.totals.get(key) ?? 0) + outcome.quantity);
  }

  /** Total quantity for a key such as `filtered:error:localhost`. */
  get(key: string): number {
    return this.totals.get(key) ?? 0;
  }
}
