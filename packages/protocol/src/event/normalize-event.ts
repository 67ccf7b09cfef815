import { normalizeEventId } from "../envelope/index.js";
import { ProtocolError } from "../protocol-error.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { PLATFORMS, type Level, type SentryEvent } from "./event-types.js";
import { normalizeRequest } from "./normalize-request.js";

/** Why an event cannot be used at all. */
export type EventErrorCode = "not_an_object";

/** An event that cannot be repaired. */
export class EventError extends ProtocolError<EventErrorCode> {}

/** Options of {@link normalizeEvent}. */
export interface NormalizeOptions {
  /** When the relay received the event, in milliseconds since the epoch. */
  readonly receivedAt: number;
  /** Makes an event id for events without a valid one (32 lowercase hex). */
  readonly generateId: () => string;
  /** How far in the future a timestamp may be, in ms (default 60 s). */
  readonly maxFutureMs?: number;
  /** How far in the past a timestamp may be, in ms (default 30 days). */
  readonly maxPastMs?: number;
}

const LEVELS: ReadonlyMap<string, Level> = new Map(Object.entries({
  fatal: "fatal",
  critical: "fatal",
  error: "error",
  warning: "warning",
  warn: "warning",
  info: "info",
  log: "info",
  debug: "debug",
  "50": "fatal",
  "40": "error",
  "30": "warning",
  "20": "info",
  "10": "debug",
} satisfies Record<string, Level>));

const OLD_NAMES: readonly (readonly [string, string])[] = [
  ["sentry.interfaces.Exception", "exception"],
  ["sentry.interfaces.Message", "logentry"],
  ["sentry.interfaces.Stacktrace", "stacktrace"],
  ["sentry.interfaces.Http", "request"],
  ["sentry.interfaces.User", "user"],
  ["sentry.interfaces.Breadcrumbs", "breadcrumbs"],
  ["sentry.interfaces.Contexts", "contexts"],
];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What was wrong with a field, and its original value when it is kept. */
interface Remark {
  readonly error: string;
  readonly original?: unknown;
}

/** Adds a remark to `_meta` at a top-level field: what was wrong and the original value. */
function remark(meta: Json, field: string, what: Remark): void {
  const { error, original } = what;
  const entry = isObject(meta[field]) ? (meta[field]) : {};
  const here = isObject(entry[""]) ? (entry[""]) : {};
  const errors = Array.isArray(here.err) ? (here.err as unknown[]) : [];
  errors.push(error);
  here.err = errors;
  // Only scalar originals are kept: an object or array may be arbitrarily large or deep.
  if (original !== undefined && (original === null || typeof original !== "object")) here.val = original;
  entry[""] = here;
  meta[field] = entry;
}

/**
 * Parses an event timestamp: Unix seconds (number or numeric string), or ISO 8601 with `Z`, an
 * offset, or no zone (UTC). Returns seconds, or `undefined`.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!match) return undefined;
  const zone = match[4] === undefined ? "Z" : match[4].toUpperCase() === "Z" ? "Z" : match[4].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(`${match[1]!}T${match[2]!}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = match[3] ? Number(`0${match[3]}`) : 0;
  return Math.floor(ms / 1000) + fraction;
}

function toValues(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (isObject(value)) {
    const values: unknown = value.values;
    return Array.isArray(values) ? (values as unknown[]) : [value];
  }
  return undefined;
}

function tagPairs(value: unknown): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  const add = (key: unknown, tagValue: unknown): void => {
    if (typeof key !== "string" || key === "" || tagValue === null || tagValue === undefined) return;
    pairs.push([key, typeof tagValue === "string" ? tagValue : JSON.stringify(tagValue)]);
  };
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (Array.isArray(entry) && entry.length === 2) add(entry[0], entry[1]);
      else if (typeof entry === "string" && entry.includes(":")) add(entry.slice(0, entry.indexOf(":")), entry.slice(entry.indexOf(":") + 1));
    }
    return pairs;
  }
  if (isObject(value)) {
    for (const [key, tagValue] of Object.entries(value)) add(key, tagValue);
    return pairs;
  }
  return undefined;
}

/** Sets an own property even for names like `__proto__`, which plain assignment would treat specially. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function modulesMap(value: unknown): Record<string, string> | undefined {
  const modules: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (Array.isArray(entry) && typeof entry[0] === "string") setOwn(modules, entry[0], String(entry[1] ?? ""));
    }
    return modules;
  }
  if (isObject(value)) {
    for (const [name, version] of Object.entries(value)) setOwn(modules, name, typeof version === "string" ? version : JSON.stringify(version));
    return modules;
  }
  return undefined;
}

/**
 * Brings an event into its canonical form (see {@link SentryEvent}) as a relay does before
 * forwarding: a valid event id, a timestamp within bounds, a known level and platform, modern
 * interface names and shapes, and `received`. Every value changed or removed is recorded in
 * `_meta`. Unknown attributes are kept. Pure: the clock and the id generator are passed in.
 */
export function normalizeEvent(input: unknown, options: NormalizeOptions): Result<SentryEvent, EventError> {
  if (!isObject(input)) return err(new EventError("not_an_object", "the event is not a JSON object"));
  const event: Json = { ...input };
  const meta: Json = isObject(event._meta) ? { ...event._meta } : {};

  for (const [oldName, name] of OLD_NAMES) {
    if (oldName in event) {
      if (!(name in event)) event[name] = event[oldName];
      Reflect.deleteProperty(event, oldName);
    }
  }

  const id = normalizeEventId(event.event_id);
  if (!id) {
    if (event.event_id !== undefined && event.event_id !== null) remark(meta, "event_id", { error: "invalid_data", original: event.event_id });
    event.event_id = options.generateId();
  } else {
    event.event_id = id;
  }

  const receivedSeconds = options.receivedAt / 1000;
  const timestamp = parseTimestamp(event.timestamp);
  if (timestamp === undefined) {
    if (event.timestamp !== undefined && event.timestamp !== null) remark(meta, "timestamp", { error: "invalid_data", original: event.timestamp });
    event.timestamp = receivedSeconds;
  } else if (timestamp * 1000 > options.receivedAt + (options.maxFutureMs ?? 60_000)) {
    remark(meta, "timestamp", { error: "future_timestamp", original: event.timestamp });
    event.timestamp = receivedSeconds;
  } else if (timestamp * 1000 < options.receivedAt - (options.maxPastMs ?? 30 * 24 * 3600 * 1000)) {
    remark(meta, "timestamp", { error: "past_timestamp", original: event.timestamp });
    event.timestamp = receivedSeconds;
  } else {
    event.timestamp = timestamp;
  }
  if (parseTimestamp(event.start_timestamp) !== undefined) event.start_timestamp = parseTimestamp(event.start_timestamp);
  event.received = receivedSeconds;

  if (event.level === undefined || event.level === null) {
    event.level = event.type === "transaction" ? "info" : "error";
  } else {
    const level = typeof event.level === "string" || typeof event.level === "number" ? LEVELS.get(String(event.level).toLowerCase()) : undefined;
    if (!level) remark(meta, "level", { error: "invalid_data", original: event.level });
    event.level = level ?? "error";
  }

  if (typeof event.platform !== "string" || !PLATFORMS.has(event.platform)) {
    if (event.platform !== undefined && event.platform !== null) remark(meta, "platform", { error: "invalid_data", original: event.platform });
    event.platform = "other";
  }

  if (event.logger !== undefined && typeof event.logger !== "string") {
    remark(meta, "logger", { error: "invalid_data", original: event.logger });
    delete event.logger;
  }

  if (typeof event.message === "string" && !isObject(event.logentry)) {
    event.logentry = { formatted: event.message };
  } else if (isObject(event.message) && !isObject(event.logentry)) {
    event.logentry = event.message;
    delete event.message;
  }
  if (isObject(event.logentry)) {
    const entry = { ...event.logentry };
    if (entry.formatted === undefined && typeof entry.message === "string" && !Array.isArray(entry.params)) {
      entry.formatted = entry.message;
    }
    event.logentry = entry;
  }

  if (event.exception !== undefined) {
    const values = toValues(event.exception)?.filter(isObject);
    if (values && values.length > 0) event.exception = { ...(isObject(event.exception) && Array.isArray(event.exception.values) ? event.exception : {}), values };
    else {
      remark(meta, "exception", { error: "invalid_data" });
      delete event.exception;
    }
  }

  if (event.breadcrumbs !== undefined) {
    const values = toValues(event.breadcrumbs)?.filter(isObject);
    if (values) event.breadcrumbs = { values };
    else {
      remark(meta, "breadcrumbs", { error: "invalid_data" });
      delete event.breadcrumbs;
    }
  }

  if (event.tags !== undefined) {
    const pairs = tagPairs(event.tags);
    if (pairs) event.tags = pairs;
    else {
      remark(meta, "tags", { error: "invalid_data", original: event.tags });
      delete event.tags;
    }
  }

  if (event.modules !== undefined) {
    const modules = modulesMap(event.modules);
    if (modules) event.modules = modules;
    else {
      remark(meta, "modules", { error: "invalid_data" });
      delete event.modules;
    }
  }

  for (const field of ["extra", "contexts", "user", "request", "sdk"] as const) {
    if (event[field] !== undefined && !isObject(event[field])) {
      remark(meta, field, { error: "invalid_data", original: event[field] });
      Reflect.deleteProperty(event, field);
    }
  }

  if (isObject(event.request)) {
    const normalized = normalizeRequest(event.request);
    event.request = normalized.request;
    for (const found of normalized.remarks) {
      const requestMeta = isObject(meta.request) ? { ...meta.request } : {};
      remark(requestMeta, found.field, found);
      meta.request = requestMeta;
    }
  }

  if (event.fingerprint !== undefined) {
    if (Array.isArray(event.fingerprint)) event.fingerprint = event.fingerprint.map((part) => (typeof part === "string" ? part : JSON.stringify(part)));
    else {
      remark(meta, "fingerprint", { error: "invalid_data", original: event.fingerprint });
      delete event.fingerprint;
    }
  }

  if (Object.keys(meta).length > 0) event._meta = meta;
  else delete event._meta;
  return ok(event as SentryEvent);
}
