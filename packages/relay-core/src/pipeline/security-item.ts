import { createItem, type EnvelopeItem } from "@org/protocol/envelope";
import { err, ok, type Result } from "@org/protocol/result";
import { securityReportToEvent, type SecurityReportErrorCode } from "@org/protocol/security";
import type { OutcomeKind } from "../outcomes.js";
import type { IngestContext } from "../spool/spool.js";

/** Why a report gave no event, as the outcome Relay counts for it. */
export interface SecurityReportDrop {
  readonly kind: OutcomeKind;
  readonly reason: string;
}

/** Relay's outcome for each way a report fails to convert. */
const DROPS: Readonly<Record<SecurityReportErrorCode, SecurityReportDrop>> = {
  invalid_json: { kind: "invalid", reason: "invalid_json" },
  security_report_type: { kind: "invalid", reason: "security_report_type" },
  security_report: { kind: "invalid", reason: "security_report" },
  // Relay counts Reporting API reports it does not take as filtered by the CSP filter.
  unsupported_security_report: { kind: "filtered", reason: "invalid-csp" },
};


/**
 * The `security` item Relay makes of a `raw_security` item: the report converted into its event
 * (release and environment from the item's headers, the request's origin as a header), ready to
 * be normalized, filtered and scrubbed like any event. A report that cannot be converted gives the
 * outcome to record instead.
 */
export function securityReportItem(item: EnvelopeItem, context: Pick<IngestContext, "origin" | "referer">): Result<EnvelopeItem, SecurityReportDrop> {
  const event = securityReportToEvent(item.payload, {
    release: item.headers.sentry_release,
    environment: item.headers.sentry_environment,
    origin: context.origin,
    referer: context.referer,
  });
  if (!event.ok) return err(DROPS[event.error.code]);
  // Headers as Relay writes the item: type, length, content type.
  return ok(createItem("security", JSON.stringify(event.value), { content_type: "application/json" }));
}
