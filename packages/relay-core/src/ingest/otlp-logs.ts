import { newEventId } from "@org/protocol/envelope";
import type { Result } from "@org/protocol/result";
import { addAttributes, field, hexId, int64, isZeroId, list, nanosToSeconds, text, type OtlpError, type SentryAttributes } from "./otel-attributes.js";

/** A log in Sentry's format, as the `log` container item holds it. */
export type SentryLog = Record<string, unknown>;

/** Sentry's log level of an OTLP severity number (1-4 trace ... 21-24 fatal), else of its text. */
export function logLevel(severityNumber: number, severityText: string): string {
  if (severityNumber >= 1 && severityNumber <= 24) return ["trace", "debug", "info", "warn", "error", "fatal"][Math.floor((severityNumber - 1) / 4)]!;
  switch (severityText.toLowerCase()) {
    case "trace":
    case "debug":
    case "info":
    case "warn":
    case "error":
    case "fatal":
      return severityText.toLowerCase();
    case "information":
      return "info";
    case "warning":
      return "warn";
    default:
      return "info";
  }
}

function severityNumberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const match = /^SEVERITY_NUMBER_([A-Z]+)(\d?)$/.exec(value);
    if (!match) return 0;
    const base = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 }[match[1]!];
    return base === undefined ? 0 : base + Math.max(0, Number(match[2] === "" ? "1" : match[2]) - 1);
  }
  return 0;
}

function randomTraceId(): string {
  return newEventId();
}

/** Converts one OTLP log record the way Sentry's Relay does. */
function convertLog(record: unknown, shared: SentryAttributes, receivedAt: number): Result<SentryLog, OtlpError> {
  const attributes: SentryAttributes = { ...shared };
  const added = addAttributes(attributes, list(record, "attributes"));
  if (!added.ok) return added;
  const traceId = hexId(field(record, "traceId", "trace_id"), 16);
  const spanId = hexId(field(record, "spanId", "span_id"), 8);
  const timestamp = nanosToSeconds(field(record, "timeUnixNano", "time_unix_nano")) ?? nanosToSeconds(field(record, "observedTimeUnixNano", "observed_time_unix_nano")) ?? receivedAt / 1000;
  const severity = severityNumberOf(field(record, "severityNumber", "severity_number"));
  const log: SentryLog = {
    timestamp,
    trace_id: traceId && !isZeroId(traceId) ? traceId : randomTraceId(),
  };
  if (spanId && !isZeroId(spanId)) log.span_id = spanId;
  log.level = logLevel(severity, text(record, "severityText", "severity_text"));
  const body = field(field(record, "body"), "stringValue", "string_value");
  if (typeof body === "string") log.body = body;
  else {
    // Structured bodies (maps, arrays, numbers) are kept as text rather than dropped.
    const holder: SentryAttributes = {};
    const converted = addAttributes(holder, [{ key: "body", value: field(record, "body") }]);
    if (!converted.ok) return converted;
    if (holder.body !== undefined) log.body = String(holder.body.value);
  }
  if (severity > 0) attributes["sentry.severity_number"] = { type: "integer", value: severity };
  const severityText = text(record, "severityText", "severity_text");
  if (severityText !== "") attributes["sentry.severity_text"] = { type: "string", value: severityText };
  const observed = int64(field(record, "observedTimeUnixNano", "observed_time_unix_nano"));
  if (observed !== undefined && observed > 0n) attributes["sentry.observed_timestamp_nanos"] = { type: "string", value: observed.toString() };
  log.attributes = attributes;
  return { ok: true, value: log };
}

/**
 * Converts an OTLP `ExportLogsServiceRequest` into Sentry logs: level from the severity, body
 * text, `sentry.origin` `auto.otlp.logs`, resource attributes as `resource.*`, the scope as
 * `instrumentation.*`. Stops with an error as soon as `maxLogs` is exceeded.
 */
export function convertOtlpLogs(request: unknown, maxLogs: number, receivedAt: number): Result<SentryLog[], OtlpError> {
  const logs: SentryLog[] = [];
  for (const resourceLogs of list(request, "resourceLogs", "resource_logs")) {
    const resourceAttributes: SentryAttributes = { "sentry.origin": { type: "string", value: "auto.otlp.logs" } };
    const resource = addAttributes(resourceAttributes, list(field(resourceLogs, "resource"), "attributes"), "resource.");
    if (!resource.ok) return resource;
    for (const scopeLogs of list(resourceLogs, "scopeLogs", "scope_logs")) {
      const shared: SentryAttributes = { ...resourceAttributes };
      const scope = field(scopeLogs, "scope");
      const scopeAdded = addAttributes(shared, list(scope, "attributes"), "instrumentation.");
      if (!scopeAdded.ok) return scopeAdded;
      if (scope !== undefined && scope !== null) {
        shared["instrumentation.name"] = { type: "string", value: text(scope, "name") };
        shared["instrumentation.version"] = { type: "string", value: text(scope, "version") };
      }
      const records = list(scopeLogs, "logRecords", "log_records");
      if (logs.length + records.length > maxLogs) return { ok: false, error: { message: `more than ${maxLogs} log records in one request` } };
      for (const record of records) {
        const converted = convertLog(record, shared, receivedAt);
        if (!converted.ok) return converted;
        logs.push(converted.value);
      }
    }
  }
  return { ok: true, value: logs };
}
