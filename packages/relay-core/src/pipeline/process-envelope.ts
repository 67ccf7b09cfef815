import { parseJsonObject } from "@org/protocol/body";
import { itemCategory, newEventId, parseEnvelope, serializeEnvelope, type EnvelopeItem } from "@org/protocol/envelope";
import { DATA_CATEGORIES, type DataCategory } from "@org/protocol/rate-limits";
import { normalizeEvent, type NormalizeOptions } from "@org/protocol/event";
import { backfillSecurityReport } from "@org/protocol/security";
import type { Outcome, OutcomeSink } from "../outcomes.js";
import { clientReportOutcomes } from "../outcomes/client-report.js";
import { checkInboundFilters, type FilterSettings } from "../processing/filters/index.js";
import { isScrubbedItemType, scrubEventInPlace, scrubItemPayload, ScrubPlanCache, type PiiConfigProblem, type ScrubbingPolicy } from "../processing/scrub/index.js";
import { ProjectStateUnavailable, type ProjectState, type ProjectStates } from "../projects/project-state.js";
import type { RateLimitCache } from "../upstream/rate-limit-cache.js";
import { parseQuotas, type CountedItem, type QuotaCounter } from "../quotas/project-quotas.js";
import type { ClaimedEnvelope } from "../spool/spool.js";
import type { Processed } from "./pipeline.js";
import { securityReportItem } from "./security-item.js";

/** What processing needs besides the envelope. */
export interface ProcessorOptions {
  readonly projects: ProjectStates;
  /** The relay's own `pii` policy, applied in every mode on top of the project's settings. */
  readonly globalScrubbing: ScrubbingPolicy;
  readonly outcomes?: OutcomeSink | undefined;
  /** Upstream rate limits: items of limited categories are dropped. */
  readonly rateLimits?: RateLimitCache | undefined;
  /** Counts project quotas (`config.quotas`) in this relay; exceeded ones become rate limits. */
  readonly quotas?: QuotaCounter | undefined;
  /**
   * Pass the SDK's `client_report` items on as they are instead of taking their counts into the
   * relay's own outcomes: capture mode, which has no upstream to report to and shows what SDKs sent.
   */
  readonly keepClientReports?: boolean | undefined;
  /** Told once per project config revision about PII rules that cannot be used (the others still apply). */
  readonly onPiiProblems?: ((projectId: string, problems: readonly PiiConfigProblem[]) => void) | undefined;
}

/** Items that belong to an event: dropped with it when it is rate limited, as Sentry's Relay does. */
const DEPENDENT_ON_EVENT = new Set(["attachment", "user_report", "form_data"]);
/** Items that belong to a transaction: dropped with it. */
const DEPENDENT_ON_TRANSACTION = new Set(["profile"]);

/** Counts an envelope's items for quotas: attachments by their bytes, everything else by one. */
function countedItems(payload: Uint8Array): CountedItem[] {
  const parsed = parseEnvelope(payload);
  if (!parsed.ok) return [];
  return parsed.value.items.map((item) => {
    const category = itemCategory(item.headers.type);
    return { category, quantity: category === "attachment" ? item.payload.length : 1 };
  });
}

/** Items processed as events: normalized, scrubbed, filtered (user feedback is an event too). */
const EVENT_TYPES = new Set(["event", "transaction", "feedback", "security"]);

/** Compiled scrubbing per project config, shared by every envelope processed on this thread. */
const scrubPlans = new ScrubPlanCache();
/** Configs whose problems were already looked at. */
const checkedConfigs = new WeakSet<object>();
/** The problems last reported per project, so that a refreshed but unchanged config is not reported again. */
const reportedProblems = new Map<string, string>();
const encoder = new TextEncoder();

function titleOf(event: Record<string, unknown>): string {
  const exception = (event.exception as { values?: { type?: unknown; value?: unknown }[] } | undefined)?.values?.at(-1);
  if (exception) {
    const type = typeof exception.type === "string" ? exception.type : "";
    const value = typeof exception.value === "string" ? exception.value : "";
    return type && value ? `${type}: ${value}` : type || value || "<unlabeled exception>";
  }
  const logentry = event.logentry as { formatted?: unknown; message?: unknown } | undefined;
  const message = logentry?.formatted ?? logentry?.message;
  if (typeof message === "string") return message.split("\n")[0] ?? "";
  if (typeof event.transaction === "string") return event.transaction;
  const feedback = (event.contexts as { feedback?: { message?: unknown } } | undefined)?.feedback?.message;
  if (typeof feedback === "string") return `Feedback: ${feedback.split("\n")[0] ?? ""}`;
  return "<no title>";
}

/** What the pure processing step needs besides the envelope: all of it plain data. */
export interface ProcessingInput {
  /** The project's state; `undefined` when the key is unknown. */
  readonly project: ProjectState | undefined;
  readonly globalScrubbing: ScrubbingPolicy;
  /** Categories the upstream currently rate-limits for this key. */
  readonly limited: readonly DataCategory[];
  /** See {@link ProcessorOptions.keepClientReports}. */
  readonly keepClientReports?: boolean | undefined;
}

/** The result of the pure processing step: {@link Processed} without the source envelope. */
export type ProcessedData =
  | { readonly kind: "deliver"; readonly dropped: readonly Outcome[]; readonly payload: Uint8Array; readonly itemTypes: readonly string[]; readonly title: string; readonly outcomes: readonly Outcome[] }
  | { readonly kind: "drop"; readonly dropped: readonly Outcome[] };

/** The categories limited for a key right now, for {@link ProcessingInput.limited}. */
export function limitedCategories(rateLimits: RateLimitCache | undefined, projectId: string, publicKey: string): DataCategory[] {
  return rateLimits?.limitedCategories(projectId, publicKey, DATA_CATEGORIES) ?? [];
}

/** Looks up what processing an envelope needs; `undefined` when its project cannot be known yet. */
export async function processingInput(options: ProcessorOptions, claimed: ClaimedEnvelope): Promise<ProcessingInput | { readonly defer: string }> {
  try {
    const project = await options.projects.get(claimed.projectId, claimed.context.publicKey);
    options.rateLimits?.noteOrganization(claimed.projectId, project?.organizationId);
    const quotas = project && options.quotas ? parseQuotas(project.config.quotas) : [];
    if (quotas.length > 0 && options.quotas) {
      const key = project?.publicKeys?.find((entry) => entry.publicKey === claimed.context.publicKey);
      const subject = { organizationId: project?.organizationId, projectId: claimed.projectId, publicKey: claimed.context.publicKey, keyId: key?.numericId === undefined ? undefined : String(key.numericId) };
      const exceeded = options.quotas.enforce(quotas, subject, countedItems(claimed.payload));
      if (exceeded.length > 0) options.rateLimits?.record(claimed.projectId, claimed.context.publicKey, exceeded);
    }
    if (project && options.onPiiProblems && !checkedConfigs.has(project.config)) {
      checkedConfigs.add(project.config);
      const { problems } = scrubPlans.get(project.config, options.globalScrubbing);
      const signature = JSON.stringify(problems);
      if (problems.length > 0 && reportedProblems.get(project.projectId) !== signature) options.onPiiProblems(project.projectId, problems);
      reportedProblems.set(project.projectId, signature);
    }
    return {
      project,
      globalScrubbing: options.globalScrubbing,
      limited: limitedCategories(options.rateLimits, claimed.projectId, claimed.context.publicKey),
      keepClientReports: options.keepClientReports,
    };
  } catch (error) {
    if (error instanceof ProjectStateUnavailable) return { defer: error.message };
    throw error;
  }
}

/** Joins the pure step's result with its source envelope. */
export function toProcessed(claimed: ClaimedEnvelope, data: ProcessedData): Processed {
  if (data.kind === "drop") return data;
  return {
    kind: "deliver",
    dropped: data.dropped,
    envelope: { source: claimed, payload: data.payload, itemTypes: data.itemTypes, title: data.title, outcomes: data.outcomes },
  };
}

/**
 * Processes spooled envelopes the way a relay does before forwarding: events and transactions are
 * normalized, run through the project's inbound filters and scrubbed (the project's `piiConfig`,
 * then its settings plus the relay's policy); every other item with user data (feedback, logs,
 * spans, check-ins, replay events, attachments) is scrubbed too. Dropped items become outcomes.
 */
export function createEnvelopeProcessor(options: ProcessorOptions): (envelope: ClaimedEnvelope) => Promise<Processed> {
  return async (claimed) => {
    const input = await processingInput(options, claimed);
    if ("defer" in input) return { kind: "defer", reason: input.defer };
    return toProcessed(claimed, processEnvelope(claimed, input));
  };
}

/**
 * What normalization learns from the request, as Relay passes it: the client's address (unless the
 * project scrubs IP addresses), the SDK's clock, the client, the project, its key's numeric id and
 * the protocol version.
 */
function normalizeOptions(claimed: Pick<ClaimedEnvelope, "id" | "projectId" | "receivedAt" | "context">, project: ProjectState, envelope: { readonly sentAt: unknown; readonly global: ScrubbingPolicy }): NormalizeOptions {
  const { sentAt: sentAtHeader, global } = envelope;
  const { context } = claimed;
  const scrubsIps = global.scrubIpAddresses === true || project.config.datascrubbingSettings?.scrubIpAddresses === true;
  const sentAt = typeof sentAtHeader === "string" ? Date.parse(sentAtHeader) : Number.NaN;
  const projectId = Number(claimed.projectId);
  const keyId = project.publicKeys?.find((key) => key.publicKey === context.publicKey)?.numericId;
  return {
    receivedAt: claimed.receivedAt,
    generateId: () => claimed.id || newEventId(),
    ...(context.clientIp !== undefined && !scrubsIps ? { clientIp: context.clientIp } : {}),
    ...(Number.isFinite(sentAt) ? { sentAt } : {}),
    // `client` falls back to the User-Agent for the outcomes; only a real `sentry_client` names an SDK.
    ...(context.client !== undefined && context.client !== context.userAgent ? { client: context.client } : {}),
    ...(Number.isSafeInteger(projectId) && projectId > 0 ? { projectId } : {}),
    ...(keyId !== undefined ? { keyId: String(keyId) } : {}),
    protocolVersion: String(context.version ?? 7),
  };
}

/** The pure, synchronous part of processing: no lookups, plain data in and out (runs in workers). */
export function processEnvelope(claimed: Pick<ClaimedEnvelope, "id" | "projectId" | "receivedAt" | "context" | "payload">, input: ProcessingInput): ProcessedData {
  const base = { projectId: claimed.projectId, quantity: 1, publicKey: claimed.context.publicKey };
  const parsed = parseEnvelope(claimed.payload);
  if (!parsed.ok) {
    return { kind: "drop", dropped: [{ ...base, kind: "invalid", reason: "invalid_envelope", category: "default" }] };
  }
  const project = input.project;
  if (!project || project.disabled) {
    const dropped = parsed.value.items.map((item): Outcome => ({ ...base, kind: "invalid", reason: "project_id", category: itemCategory(item.headers.type) }));
    return { kind: "drop", dropped };
  }
  const limited = new Set(input.limited);
  const types = parsed.value.items.map((item) => item.headers.type);
  const eventLimited = types.some((type) => type !== "transaction" && EVENT_TYPES.has(type) && limited.has(itemCategory(type)));
  const transactionLimited = types.includes("transaction") && limited.has("transaction");
  const { plan } = scrubPlans.get(project.config, input.globalScrubbing);
  const filters = project.config.filterSettings as FilterSettings | undefined;
  const normalizing = normalizeOptions(claimed, project, { sentAt: parsed.value.headers.sent_at, global: input.globalScrubbing });
  const dropped: Outcome[] = [];
  const accepted: Outcome[] = [];
  const items: EnvelopeItem[] = [];
  let title: string | undefined;
  for (const item of parsed.value.items) {
    const type = item.headers.type;
    const category = itemCategory(type);
    if (limited.has(category) || (eventLimited && DEPENDENT_ON_EVENT.has(type)) || (transactionLimited && (DEPENDENT_ON_TRANSACTION.has(type) || DEPENDENT_ON_EVENT.has(type)))) {
      dropped.push({ ...base, kind: "rate_limited", category });
      continue;
    }
    if (type === "client_report" && input.keepClientReports !== true) {
      // The SDK's own outcomes become the relay's: aggregated with everything else and reported upstream.
      dropped.push(...clientReportOutcomes(item.payload, base));
      continue;
    }
    let source = item;
    if (type === "raw_security") {
      // As in Relay, a browser's security report becomes its event first, then is processed like any event.
      const converted = securityReportItem(item, claimed.context);
      if (!converted.ok) {
        dropped.push({ ...base, ...converted.error, category });
        continue;
      }
      source = converted.value;
    }
    const eventType = source.headers.type;
    if (!EVENT_TYPES.has(eventType)) {
      if (isScrubbedItemType(type)) {
        const scrubbed = scrubItemPayload(item.headers, item.payload, plan);
        if (!scrubbed.ok) {
          // An item that cannot be read cannot be scrubbed, so it is not passed on.
          dropped.push({ ...base, kind: "invalid", reason: "invalid_item", category });
          continue;
        }
        items.push(scrubbed.value === item.payload ? item : { headers: item.headers, payload: scrubbed.value });
      } else items.push(item);
      accepted.push({ ...base, kind: "accepted", category });
      continue;
    }
    const json = parseJsonObject(source.payload);
    // Relay's normalization fills a security report in from its request: logger, client address, user agent.
    if (json.ok && eventType === "security") {
      backfillSecurityReport(json.value, { clientIp: normalizing.clientIp, userAgent: claimed.context.userAgent, clientHints: claimed.context.clientHints });
    }
    const keepsType = eventType === "event" || eventType === "security";
    const normalized = json.ok ? normalizeEvent({ ...json.value, ...(keepsType ? {} : { type: eventType }), event_id: parsed.value.meta.eventId ?? json.value.event_id }, normalizing) : json;
    if (!normalized.ok) {
      dropped.push({ ...base, kind: "invalid", reason: normalized.error.code, category });
      continue;
    }
    const event = normalized.value as Record<string, unknown>;
    // Relay filters every kind of event: errors, transactions and user feedback alike.
    const reason = checkInboundFilters(event, filters, claimed.context.clientIp);
    if (reason) {
      dropped.push({ ...base, kind: "filtered", reason, category });
      continue;
    }
    scrubEventInPlace(event, plan);
    title = titleOf(event);
    items.push({ headers: source.headers, payload: encoder.encode(JSON.stringify(event)) });
    accepted.push({ ...base, kind: "accepted", category });
  }
  if (items.length === 0) return { kind: "drop", dropped };
  // Envelopes of streamed spans (newer SDKs) carry their root span's name in the trace header.
  const traceName = (parsed.value.headers.trace as { transaction?: unknown } | undefined)?.transaction;
  if (title === undefined && typeof traceName === "string" && traceName !== "") title = traceName;
  const payload = serializeEnvelope({ headers: parsed.value.headers, items, rawHeader: parsed.value.rawHeader });
  const itemTypes = items.map((item) => item.headers.type);
  return { kind: "deliver", dropped, payload, itemTypes, title: title ?? itemTypes.join(", "), outcomes: accepted };
}
