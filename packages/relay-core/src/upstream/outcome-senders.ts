import { buildRelayAuthHeader } from "@org/protocol/auth";
import { createEnvelope, createJsonItem, serializeEnvelope } from "@org/protocol/envelope";
import type { DataCategory } from "@org/protocol/rate-limits";
import { clientReportList, type AggregatedOutcome, type ClientReportList, type OutcomeSender } from "../outcomes/outcome-aggregator.js";
import type { RelayCredentials, UpstreamClient } from "./upstream-client.js";
import { detailOf } from "./upstream-client.js";

/**
 * Sends aggregated outcomes as the relay's own `client_report` items: one envelope per project key
 * to the upstream's envelope endpoint, authenticated with that key. Outcomes whose key the relay
 * never learned cannot be sent this way and are left out.
 */
export function clientReportSender(client: UpstreamClient, relayVersion: string): OutcomeSender {
  return async (batch, timestamp) => {
    const byKey = new Map<string, { projectId: string; publicKey: string; lists: Map<ClientReportList, object[]> }>();
    for (const outcome of batch) {
      const list = clientReportList(outcome.kind);
      if (outcome.publicKey === undefined || list === undefined) continue;
      const id = `${outcome.projectId}:${outcome.publicKey}`;
      let entry = byKey.get(id);
      if (!entry) {
        entry = { projectId: outcome.projectId, publicKey: outcome.publicKey, lists: new Map() };
        byKey.set(id, entry);
      }
      const entries = entry.lists.get(list) ?? [];
      entries.push({ reason: outcome.reason, category: outcome.category, quantity: outcome.quantity });
      entry.lists.set(list, entries);
    }
    const failures: string[] = [];
    for (const { projectId, publicKey, lists } of byKey.values()) {
      const report = { timestamp: timestamp.getTime() / 1000, ...Object.fromEntries(lists) };
      const envelope = createEnvelope({ sentAt: timestamp }, [createJsonItem("client_report", report)]);
      const response = await client.send({
        method: "POST",
        path: `/api/${projectId}/envelope/`,
        headers: {
          "content-type": "application/x-sentry-envelope",
          "x-sentry-auth": buildRelayAuthHeader({ key: publicKey, client: `sentry-relay/${relayVersion}` }),
        },
        body: serializeEnvelope(envelope),
      });
      if (response.status >= 400) failures.push(`project ${projectId}: ${response.status} ${detailOf(response)}`);
    }
    if (failures.length > 0) throw new Error(`the upstream refused client reports (${failures.join("; ")})`);
  };
}

/** Sentry's outcome numbers. */
const OUTCOME_IDS: Readonly<Record<AggregatedOutcome["kind"], number>> = {
  accepted: 0,
  filtered: 1,
  rate_limited: 2,
  invalid: 3,
  expired: 3,
  rejected_upstream: 3,
  client_discard: 5,
};

/** Sentry's data category numbers (`relay-base-schema`'s `DataCategory`). */
const CATEGORY_IDS: Readonly<Record<DataCategory, number>> = {
  default: 0,
  error: 1,
  transaction: 2,
  security: 3,
  attachment: 4,
  session: 5,
  profile: 6,
  replay: 7,
  monitor: 10,
  span: 12,
  feedback: 14,
  metric_bucket: 15,
  profile_chunk: 18,
  log_item: 23,
  internal: 0,
  unknown: 0,
};

/**
 * Sends aggregated outcomes to the upstream's relay outcomes endpoint
 * (`POST /api/0/relays/outcomes/`), signed with the relay's key: managed mode, where the upstream
 * trusts the relay and needs no project key.
 */
export function signedOutcomeSender(client: UpstreamClient, credentials: RelayCredentials): OutcomeSender {
  return async (batch, timestamp) => {
    const outcomes = batch.map((outcome) => ({
      timestamp: timestamp.toISOString().replace(/\.\d{3}Z$/, "Z"),
      project_id: Number(outcome.projectId),
      outcome: OUTCOME_IDS[outcome.kind],
      reason: outcome.reason,
      category: CATEGORY_IDS[outcome.category],
      quantity: outcome.quantity,
    }));
    const response = await client.signedJson("/api/0/relays/outcomes/", { outcomes }, { credentials });
    if (response.status >= 400) throw new Error(`the upstream refused outcomes: ${response.status} ${detailOf(response)}`);
  };
}
