import { parseEnvelope } from "@org/protocol/envelope";
import type { CaptureDigest } from "./capture-api.js";
import type { CapturedEnvelope } from "./capture-store.js";

type Json = Record<string, unknown>;

const decoder = new TextDecoder();
/** Items that hold an event (a browser's security report is one after processing). */
const EVENT_TYPES = new Set(["event", "transaction", "security"]);

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function parseJson(bytes: Uint8Array): Json | undefined {
  try {
    return asObject(JSON.parse(decoder.decode(bytes)));
  } catch {
    return undefined;
  }
}

function sdkName(sdk: unknown): string | undefined {
  const object = asObject(sdk);
  const name = asString(object?.name);
  if (!name) return undefined;
  const version = asString(object?.version);
  return version ? `${name} ${version}` : name;
}

/** The last frame of the last exception that is the app's own code (or the last frame at all). */
function topFrame(event: Json): string | undefined {
  const values = asObject(event.exception)?.values;
  const last = Array.isArray(values) ? asObject(values.at(-1)) : undefined;
  const frames = asObject(last?.stacktrace)?.frames;
  if (!Array.isArray(frames) || frames.length === 0) return undefined;
  const objects = frames.map(asObject).filter((frame) => frame !== undefined);
  const frame = objects.findLast((each) => each.in_app === true) ?? objects.at(-1);
  if (!frame) return undefined;
  const fn = asString(frame.function);
  const file = asString(frame.filename) ?? asString(frame.module) ?? asString(frame.abs_path);
  if (fn && file) return `${fn} (${file})`;
  return fn ?? file;
}

/** Reads a span attribute in either shape SDKs send: a bare value or `{ type, value }`. */
function attribute(span: Json, key: string): string | undefined {
  const value = asObject(span.attributes)?.[key];
  return asString(value) ?? asString(asObject(value)?.value);
}

function sdkOfAttributes(item: Json): string | undefined {
  return [attribute(item, "sentry.sdk.name"), attribute(item, "sentry.sdk.version")].filter(Boolean).join(" ") || undefined;
}

function fromEvent(event: Json): Partial<CaptureDigest> {
  return {
    trace_id: asString(asObject(asObject(event.contexts)?.trace)?.trace_id),
    level: asString(event.level) ?? (event.type === "transaction" ? undefined : "error"),
    culprit: asString(event.culprit) ?? asString(event.transaction) ?? topFrame(event),
    sdk: sdkName(event.sdk),
    platform: asString(event.platform),
    environment: asString(event.environment),
  };
}

/** Streamed spans, logs and other containers: `{ items: [...] }`. */
function fromContainer(type: string, container: Json): Partial<CaptureDigest> & { title?: string | undefined } {
  const items = Array.isArray(container.items) ? container.items.map(asObject).filter((item) => item !== undefined) : [];
  if (type === "span") {
    const segment = items.find((span) => span.is_segment === true) ?? items.find((span) => !asString(span.parent_span_id));
    const first = items[0];
    if (!segment) {
      // Spans that ended after their segment was sent: named after the segment they belong to.
      if (!first) return {};
      const of = attribute(first, "sentry.segment.name");
      return {
        title: `${items.length} more ${items.length === 1 ? "span" : "spans"}${of ? ` of ${of}` : ""}`,
        level: asString(first.status),
        culprit: attribute(first, "sentry.op") ?? asString(first.op),
        environment: attribute(first, "sentry.environment"),
        sdk: sdkOfAttributes(first),
        trace_id: asString(first.trace_id),
      };
    }
    // A page load named by its URL is sent as "Pageload", its path beside: list it by the path,
    // as its transaction was named before spans were streamed.
    const byUrl = attribute(segment, "sentry.segment.name.source") === "url" ? attribute(segment, "url.path") : undefined;
    return {
      title: byUrl ?? asString(segment.name) ?? attribute(segment, "sentry.segment.name"),
      level: asString(segment.status),
      trace_id: asString(segment.trace_id),
      culprit: attribute(segment, "sentry.op") ?? asString(segment.op),
      environment: attribute(segment, "sentry.environment"),
      sdk: sdkOfAttributes(segment),
    };
  }
  if (type === "log") {
    const first = items[0];
    if (!first) return {};
    const body = asString(first.body);
    return {
      title: body && items.length > 1 ? `${body} (+${items.length - 1} more)` : body,
      level: asString(first.level),
      sdk: sdkOfAttributes(first),
      environment: attribute(first, "sentry.environment"),
    };
  }
  return {};
}

function fromItem(type: string, payload: Json): Partial<CaptureDigest> & { title?: string | undefined } {
  switch (type) {
    case "check_in":
      return {
        title: asString(payload.monitor_slug) ? `check-in ${String(payload.monitor_slug)}` : undefined,
        level: asString(payload.status),
        environment: asString(payload.environment),
      };
    case "session":
      return { level: asString(payload.status), environment: asString(asObject(payload.attrs)?.environment) };
    case "feedback": {
      const feedback = asObject(asObject(payload.contexts)?.feedback);
      return { title: asString(feedback?.message), level: "info", culprit: asString(feedback?.url), sdk: sdkName(payload.sdk) };
    }
    default:
      return Array.isArray(payload.items) ? fromContainer(type, payload) : {};
  }
}

/**
 * Digests a captured envelope for capture mode's web page: its listing fields, plus level,
 * culprit, SDK, platform and environment read from the first item that has them. An envelope
 * listed by its item types alone (streamed spans, logs) is titled by what it carries instead.
 */
export function digestCapture(entry: CapturedEnvelope): CaptureDigest {
  const base: CaptureDigest = {
    event_id: entry.id,
    project_id: entry.projectId,
    received: new Date(entry.receivedAt).toISOString(),
    item_types: entry.itemTypes,
    title: entry.title,
  };
  const parsed = parseEnvelope(entry.envelope);
  if (!parsed.ok) return base;
  let found: Partial<CaptureDigest> & { title?: string | undefined } = {};
  const main = parsed.value.items.find((item) => EVENT_TYPES.has(item.headers.type)) ?? parsed.value.items[0];
  const payload = main ? parseJson(main.payload) : undefined;
  if (main && payload) found = EVENT_TYPES.has(main.headers.type) ? fromEvent(payload) : fromItem(main.headers.type, payload);
  // Events keep the title processing gave them; other items (streamed spans, logs, check-ins) are
  // titled from what they carry, which reads better than a count of items.
  const titledByContent = entry.title === entry.itemTypes.join(", ") || (main !== undefined && !EVENT_TYPES.has(main.headers.type));
  return {
    ...base,
    title: titledByContent && found.title ? found.title : entry.title,
    level: found.level,
    culprit: found.culprit,
    sdk: found.sdk ?? sdkName(parsed.value.headers.sdk),
    platform: found.platform,
    environment: found.environment,
    trace_id: found.trace_id ?? asString(asObject(parsed.value.headers.trace)?.trace_id),
  };
}
