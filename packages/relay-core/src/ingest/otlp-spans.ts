import type { Result } from "@org/protocol/result";
import { addAttributes, field, hexId, isZeroId, list, nanosToSeconds, text, type OtlpError, type SentryAttributes } from "./otel-attributes.js";

/** A span in Sentry's v2 format, as the `span` container item holds it. */
export type SentrySpanV2 = Record<string, unknown>;

/** The spans of one OTLP traces request, and how many were dropped as invalid. */
export interface ConvertedSpans {
  readonly spans: SentrySpanV2[];
  /** Spans without a valid trace id, span id or timestamps. */
  readonly invalid: number;
}

const KINDS: Readonly<Record<number, string>> = { 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer" };
/** W3C trace flags: bit 8 says whether bit 9 (remote parent) is known. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

function kindOf(value: unknown): number {
  if (typeof value === "number") return value;
  // OTLP/JSON may spell enums by name.
  if (typeof value === "string") return ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"].indexOf(value);
  return 0;
}

function statusCodeOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"].indexOf(value);
  return 0;
}

/** A name for a span without one, from its attributes, as Sentry's Relay does (`db`, `http.server`, ...). */
function fallbackName(attributes: SentryAttributes, kind: number): string | undefined {
  const keys = Object.keys(attributes);
  if (keys.some((key) => key.startsWith("db"))) return "db";
  if (keys.includes("http.method") || keys.includes("http.request.method")) return kind === 2 ? "http.server" : kind === 3 ? "http.client" : "http";
  return undefined;
}

function convertLinks(links: readonly unknown[]): Result<Record<string, unknown>[] | undefined, OtlpError> {
  const out: Record<string, unknown>[] = [];
  for (const link of links) {
    const traceId = hexId(field(link, "traceId", "trace_id"), 16);
    const spanId = hexId(field(link, "spanId", "span_id"), 8);
    if (!traceId || !spanId) return { ok: true, value: undefined };
    const attributes: SentryAttributes = {};
    const added = addAttributes(attributes, list(link, "attributes"));
    if (!added.ok) return added;
    const flags = Number(field(link, "flags") ?? 0);
    out.push({ trace_id: traceId, span_id: spanId, sampled: (flags & 1) !== 0, attributes });
  }
  return { ok: true, value: out };
}

/** Converts one OTLP span; `undefined` when its ids or times are unusable. */
function convertSpan(span: unknown, shared: SentryAttributes): Result<SentrySpanV2 | undefined, OtlpError> {
  const traceId = hexId(field(span, "traceId", "trace_id"), 16);
  const spanId = hexId(field(span, "spanId", "span_id"), 8);
  const parentSpanId = hexId(field(span, "parentSpanId", "parent_span_id"), 8);
  const start = nanosToSeconds(field(span, "startTimeUnixNano", "start_time_unix_nano"));
  const end = nanosToSeconds(field(span, "endTimeUnixNano", "end_time_unix_nano"));
  if (!traceId || !spanId || parentSpanId === undefined || isZeroId(traceId) || isZeroId(spanId) || start === undefined || end === undefined) {
    return { ok: true, value: undefined };
  }
  const kind = kindOf(field(span, "kind"));
  const attributes: SentryAttributes = { ...shared };
  const added = addAttributes(attributes, list(span, "attributes"));
  if (!added.ok) return added;
  const links = convertLinks(list(span, "links"));
  if (!links.ok) return links;
  if (links.value === undefined) return { ok: true, value: undefined };
  const status = field(span, "status");
  const out: SentrySpanV2 = { trace_id: traceId };
  if (parentSpanId !== "") out.parent_span_id = parentSpanId;
  out.span_id = spanId;
  const name = text(span, "name") || fallbackName(attributes, kind);
  if (name !== undefined) out.name = name;
  if (status !== undefined && status !== null) {
    out.status = statusCodeOf(field(status, "code")) === 2 ? "error" : "ok";
    const message = text(status, "message");
    if (message !== "") attributes["sentry.status.message"] = { type: "string", value: message };
  }
  const flags = Number(field(span, "flags") ?? 0);
  if ((flags & HAS_IS_REMOTE) !== 0) out.is_remote = (flags & IS_REMOTE) !== 0;
  if (KINDS[kind] !== undefined) out.kind = KINDS[kind];
  out.start_timestamp = start;
  out.end_timestamp = end;
  out.links = links.value;
  out.attributes = attributes;
  return { ok: true, value: out };
}

/**
 * Converts an OTLP `ExportTraceServiceRequest` (decoded from JSON or protobuf) into Sentry v2
 * spans, the way Sentry's Relay does: ids as hex, times in seconds, kind and status as words,
 * attributes typed (arrays as JSON text). Resource attributes are kept as `resource.*` and the
 * instrumentation scope as `instrumentation.name`/`.version`. Stops with an error as soon as
 * `maxSpans` is exceeded, before converting more.
 */
export function convertOtlpTraces(request: unknown, maxSpans: number): Result<ConvertedSpans, OtlpError> {
  const spans: SentrySpanV2[] = [];
  let invalid = 0;
  let seen = 0;
  for (const resourceSpans of list(request, "resourceSpans", "resource_spans")) {
    const resourceAttributes: SentryAttributes = {};
    const resource = addAttributes(resourceAttributes, list(field(resourceSpans, "resource"), "attributes"), "resource.");
    if (!resource.ok) return resource;
    for (const scopeSpans of list(resourceSpans, "scopeSpans", "scope_spans")) {
      const shared: SentryAttributes = { ...resourceAttributes };
      const scope = field(scopeSpans, "scope");
      const scopeAdded = addAttributes(shared, list(scope, "attributes"), "instrumentation.");
      if (!scopeAdded.ok) return scopeAdded;
      if (text(scope, "name") !== "") shared["instrumentation.name"] = { type: "string", value: text(scope, "name") };
      if (text(scope, "version") !== "") shared["instrumentation.version"] = { type: "string", value: text(scope, "version") };
      const batch = list(scopeSpans, "spans");
      seen += batch.length;
      if (seen > maxSpans) return { ok: false, error: { message: `more than ${maxSpans} spans in one request` } };
      for (const span of batch) {
        const converted = convertSpan(span, shared);
        if (!converted.ok) return converted;
        if (converted.value === undefined) invalid += 1;
        else spans.push(converted.value);
      }
    }
  }
  return { ok: true, value: { spans, invalid } };
}
