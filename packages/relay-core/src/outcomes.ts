import { itemCategory, parseEnvelope } from "@org/protocol/envelope";
import type { DataCategory } from "@org/protocol/rate-limits";
import type { SpooledEnvelope } from "./spool/spool.js";

/** What became of an item the relay received. */
export type OutcomeKind = "accepted" | "filtered" | "invalid" | "rate_limited" | "expired" | "rejected_upstream" | "client_discard";

/** One counted outcome, in the spirit of Sentry's outcomes. */
export interface Outcome {
  readonly kind: OutcomeKind;
  /** Why, for every kind but `accepted`: the filter name, the validation problem, the status... */
  readonly reason?: string | undefined;
  readonly category: DataCategory;
  readonly projectId: string;
  readonly quantity: number;
  /** The project key the data came with, when known: outcomes sent upstream as client reports need it. */
  readonly publicKey?: string | undefined;
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

/**
 * The outcomes of envelopes the spool dropped because they outlived its maximum age: one per item,
 * by category (`default` for an envelope that cannot be read any more), reason `spool_max_age`.
 */
export function expiredOutcomes(envelopes: readonly SpooledEnvelope[]): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const envelope of envelopes) {
    const parsed = parseEnvelope(envelope.payload);
    const categories = parsed.ok ? parsed.value.items.map((item) => itemCategory(item.headers.type)) : ["default" as const];
    for (const category of categories) {
      outcomes.push({ kind: "expired", reason: "spool_max_age", category, projectId: envelope.projectId, quantity: 1, publicKey: envelope.context.publicKey });
    }
  }
  return outcomes;
}
