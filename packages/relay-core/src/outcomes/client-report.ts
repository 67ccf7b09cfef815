import { toDataCategory } from "@org/protocol/rate-limits";
import type { Outcome, OutcomeKind } from "../outcomes.js";

/** The lists of a client report and the outcome each stands for. */
const LISTS: readonly (readonly [string, OutcomeKind])[] = [
  ["discarded_events", "client_discard"],
  ["rate_limited_events", "rate_limited"],
  ["filtered_events", "filtered"],
  ["filtered_sampling_events", "filtered"],
];

/** Entries read from one client report at most: a report is small (Relay: `max_client_reports_size`). */
const MAX_ENTRIES = 1_000;

/**
 * Reads an SDK's `client_report` item (`{"discarded_events":[{"reason","category","quantity"}]}`
 * and the older lists) into outcomes of the envelope's project and key. Malformed entries are
 * skipped; a report that is not JSON gives none.
 */
export function clientReportOutcomes(payload: Uint8Array, base: { readonly projectId: string; readonly publicKey?: string | undefined }): Outcome[] {
  let report: unknown;
  try {
    report = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch {
    return [];
  }
  if (typeof report !== "object" || report === null) return [];
  const outcomes: Outcome[] = [];
  for (const [list, kind] of LISTS) {
    const entries = (report as Record<string, unknown>)[list];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries.slice(0, MAX_ENTRIES)) {
      const { reason, category, quantity } = (entry ?? {}) as { reason?: unknown; category?: unknown; quantity?: unknown };
      if (typeof reason !== "string" || typeof category !== "string" || typeof quantity !== "number" || !Number.isInteger(quantity) || quantity <= 0) continue;
      outcomes.push({ kind, reason, category: toDataCategory(category), projectId: base.projectId, quantity, publicKey: base.publicKey });
    }
  }
  return outcomes;
}
