import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { EnvelopeError } from "./envelope-error.js";
import type { EnvelopeMeta, JsonObject, EnvelopeSdk, EnvelopeTrace } from "./envelope.js";
import { normalizeEventId } from "./event-id.js";

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** Parses an RFC 3339 timestamp; `Date` alone would accept other shapes and roll 30 February over. */
function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  return new Date(text.replace(" ", "T"));
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function readSdk(value: unknown): EnvelopeSdk | undefined {
  if (!isObject(value) || typeof value.name !== "string" || typeof value.version !== "string") return undefined;
  return { name: value.name, version: value.version };
}

function readTrace(value: unknown): EnvelopeTrace | undefined {
  if (!isObject(value) || typeof value.trace_id !== "string") return undefined;
  return {
    traceId: value.trace_id,
    publicKey: stringOrUndefined(value.public_key),
    release: stringOrUndefined(value.release),
    environment: stringOrUndefined(value.environment),
    transaction: stringOrUndefined(value.transaction),
    sampleRate: stringOrUndefined(value.sample_rate),
    sampled: stringOrUndefined(value.sampled),
  };
}

/**
 * Validates and normalizes the attributes of an envelope header: `event_id` (32 hex digits or a
 * dashed UUID, normalized to 32 lowercase hex), `dsn` (a string), `sent_at` (RFC 3339). `null`
 * counts as absent for `event_id` and `sent_at`. A malformed `sdk` or `trace` is not an error, as
 * in Sentry: it is left out of the result.
 */
export function readEnvelopeHeaders(headers: JsonObject): Result<EnvelopeMeta, EnvelopeError> {
  const rawId = headers.event_id;
  let eventId: string | undefined;
  if (rawId !== undefined && rawId !== null) {
    eventId = normalizeEventId(rawId);
    if (eventId === undefined) {
      return err(new EnvelopeError("invalid_event_id", `the envelope header's event_id is not a UUID: ${JSON.stringify(rawId)}`));
    }
  }
  const dsn = headers.dsn;
  if (dsn !== undefined && typeof dsn !== "string") {
    return err(new EnvelopeError("invalid_dsn", `the envelope header's dsn is not a string: ${JSON.stringify(dsn)}`));
  }
  const rawSentAt = headers.sent_at;
  let sentAt: Date | undefined;
  if (rawSentAt !== undefined && rawSentAt !== null) {
    sentAt = typeof rawSentAt === "string" ? parseRfc3339(rawSentAt) : undefined;
    if (sentAt === undefined) {
      return err(new EnvelopeError("invalid_sent_at", `the envelope header's sent_at is not an RFC 3339 timestamp: ${JSON.stringify(rawSentAt)}`));
    }
  }
  return ok({ eventId, dsn, sdk: readSdk(headers.sdk), sentAt, trace: readTrace(headers.trace) });
}
