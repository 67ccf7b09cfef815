import { normalizeEventId } from "../envelope/index.js";
import { ProtocolError } from "../protocol-error.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import {
  copyObject,
  dropFieldSoftly,
  isObject,
  readJsonLenientString,
  readLenientString,
  readLevel,
  readObject,
  readString,
  rejectField,
  type FieldRef,
} from "./event-fields.js";
import { normalizeContext } from "./event-contexts.js";
import { formatMessage } from "./event-logentry.js";
import { EventMeta, expected, invalid, setOwn, type MetaPathSegment } from "./event-meta.js";
import { normalizeTags, readTags, writeTags } from "./event-tags.js";
import { formatDisplay, formatRfc3339, instantFromMillis, instantToSeconds, readTimestamp, type Instant } from "./event-timestamp.js";
import { BAG_SIZES, sortedJson, trimBag, trimFrames, trimString } from "./event-trimming.js";
import { PLATFORMS, type SentryEvent } from "./event-types.js";
import { normalizeRequest, readRequestHeaders } from "./normalize-request.js";
import { addUserAgentContexts, userAgentInfoFromHeaders } from "./user-agent-contexts.js";

export { parseTimestamp } from "./event-timestamp.js";

/** Why an event cannot be used at all. */
export type EventErrorCode = "not_an_object" | "invalid_transaction";

/** An event that cannot be repaired. */
export class EventError extends ProtocolError<EventErrorCode> {}

/** Options of {@link normalizeEvent}. */
export interface NormalizeOptions {
  /** When the relay received the event, in milliseconds since the epoch. */
  readonly receivedAt: number;
  /** Makes an id for events without a valid one (32 lowercase hex). */
  readonly generateId: () => string;
  /**
   * Makes trace ids (32 lowercase hex) for events without one; `generateId` by default, so that
   * the same input gives the same output (Relay's are random, so any fresh id is as good).
   */
  readonly generateTraceId?: () => string;
  /** Whether oversized values are trimmed as Relay trims them (default true). */
  readonly trim?: boolean;
  /** The project the event is for: written as `project` (Relay drops a client's own). */
  readonly projectId?: number;
  /** The numeric id of the DSN's key: written as `key_id`. */
  readonly keyId?: string;
  /** The protocol version of the request (`"7"`): written as `version`. */
  readonly protocolVersion?: string;
  /** How far in the future a timestamp may be, in ms (default 60 s). */
  readonly maxFutureMs?: number;
  /** How far in the past a timestamp may be, in ms (default 30 days). */
  readonly maxPastMs?: number;
  /** When the SDK sent the event (the envelope's `sent_at`), in ms: corrects a drifted clock. */
  readonly sentAt?: number;
  /** The smallest clock drift that `sentAt` corrects, in ms (default 55 minutes, as in Relay). */
  readonly minClockDriftMs?: number;
  /** The address the event came from: replaces `{{auto}}` and fills in the user's address. */
  readonly clientIp?: string;
  /**
   * Whether the user's IP address may be filled in from `clientIp` (default true; off when the
   * project scrubs IP addresses). The event's `sdk.settings.infer_ip` decides the rest.
   */
  readonly inferIpAddress?: boolean;
  /** The client named by the request's authentication (`sentry_client`), for events without `sdk`. */
  readonly client?: string;
}

type Json = Record<string, unknown>;
type Path = readonly MetaPathSegment[];

const OLD_NAMES: readonly (readonly [string, string])[] = [
  ["sentry.interfaces.Exception", "exception"],
  ["sentry.interfaces.Message", "logentry"],
  ["sentry.interfaces.Stacktrace", "stacktrace"],
  ["sentry.interfaces.Http", "request"],
  ["sentry.interfaces.User", "user"],
  ["sentry.interfaces.Breadcrumbs", "breadcrumbs"],
  ["sentry.interfaces.Contexts", "contexts"],
];

const NANOS_PER_MS = 1_000_000n;
/** Relay corrects a sender's clock only when it is off by at least 55 minutes. */
const MIN_CLOCK_DRIFT_MS = 55 * 60 * 1000;
/** Relay drops `time_spent` values that do not fit Sentry's bounded integer column. */
const MAX_TIME_SPENT = 2_147_483_647;
/** Relay's limit on `dist`, in characters. */
const MAX_DIST_CHARS = 64;
/** Relay's limits, in characters, for loggers and for names of culprits and transactions. */
const MAX_LOGGER_CHARS = 64;
const MAX_CULPRIT_CHARS = 200;
const MESSAGE_LIMITS = { limit: 8192, allowance: 200 };
const ENUM_LIKE_CHARS = 128;
const MAX_URL_CHARS = 256;
const MAX_FRAGMENT_CHARS = 1024;
const SYMBOL_LIMITS = { limit: 256, allowance: 20 };
const KNOWN_USER_FIELDS = new Set(["id", "email", "ip_address", "username", "name", "geo", "segment", "data", "sentry_user"]);
const SECURITY_REPORTS = [
  ["csp", "csp"],
  ["hpkp", "hpkp"],
  ["expectct", "expectct"],
  ["expectstaple", "expectstaple"],
] as const;
const IP_PLATFORMS = new Set(["javascript", "cocoa", "objc"]);

/** A timestamp of the event, held exactly until it is written back as seconds. */
interface TimestampSlot {
  readonly holder: Json;
  readonly key: string;
  instant: Instant;
}

/** Everything one normalization works with. */
interface Context {
  readonly event: Json;
  readonly meta: EventMeta;
  readonly options: NormalizeOptions;
  readonly slots: TimestampSlot[];
}

/** Refers to the field `key` of `holder`, at `path` in `_meta`. */
function fieldsOf(context: Context): (holder: Json, key: string, path: Path) => FieldRef {
  return (holder, key, path) => ({ holder, key, path, meta: context.meta });
}

function readTimestampSlot(context: Context, at: FieldRef): TimestampSlot | undefined {
  const { holder, key } = at;
  const reading = readTimestamp(holder[key]);
  if (reading === undefined) {
    Reflect.deleteProperty(holder, key);
    return undefined;
  }
  if (!reading.ok) {
    rejectField(at, reading.error);
    return undefined;
  }
  const slot = { holder, key, instant: reading.instant };
  context.slots.push(slot);
  return slot;
}

/** `exception`, `breadcrumbs` and `threads` as Relay reads them: a list, `{values}`, or one object. */
function readValues(context: Context, key: string): unknown[] | undefined {
  const { event, meta } = context;
  const value = event[key];
  if (value === undefined || value === null) {
    Reflect.deleteProperty(event, key);
    return undefined;
  }
  let container: Json;
  if (Array.isArray(value)) container = { values: value };
  else if (isObject(value)) {
    // `{}` is no value at all; `{"values": ...}` is the container; any other object is one item.
    if (Object.keys(value).length === 0) {
      Reflect.deleteProperty(event, key);
      return undefined;
    }
    container = Object.hasOwn(value, "values") ? copyObject(value) : { values: [value] };
    if (!Array.isArray(container.values)) {
      if (container.values !== null && container.values !== undefined) {
        meta.addError([key, "values"], expected("an array"));
        meta.setOriginal([key, "values"], container.values);
      }
      container.values = null;
      event[key] = container;
      return undefined;
    }
  } else {
    rejectField(fieldsOf(context)(event, key, [key]), expected("a list or values object"));
    return undefined;
  }
  const items = (container.values as unknown[]).map((item, index) => {
    if (isObject(item)) return copyObject(item);
    if (item !== null && item !== undefined) {
      meta.addError([key, "values", index], expected("an object"));
      meta.setOriginal([key, "values", index], item);
    }
    return null;
  });
  container.values = items;
  event[key] = container;
  return items;
}

function isIpAddress(text: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255 && (part === "0" || !part.startsWith("0")));
  if (!text.includes(":") || /[^0-9a-fA-F:.]/.test(text)) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function readUser(context: Context): void {
  const user = readObject(fieldsOf(context)(context.event, "user", ["user"]));
  if (!user) return;
  readLenientString(fieldsOf(context)(user, "id", ["user", "id"]));
  for (const key of ["email", "username", "name", "segment"]) readString(fieldsOf(context)(user, key, ["user", key]));
  readObject(fieldsOf(context)(user, "geo", ["user", "geo"]));
  readObject(fieldsOf(context)(user, "data", ["user", "data"]));
  const ip = user.ip_address;
  if (ip !== undefined && ip !== null && !(typeof ip === "string" && (ip === "{{auto}}" || isIpAddress(ip)))) {
    rejectField(fieldsOf(context)(user, "ip_address", ["user", "ip_address"]), expected("an ip address"));
  } else if (ip === null) delete user.ip_address;
}

function readLogEntry(context: Context): void {
  const { event } = context;
  // `message` is the legacy name of `logentry`; the modern name wins when both are there.
  const alias = event.message;
  delete event.message;
  if (event.logentry === undefined || event.logentry === null) {
    if (alias === undefined || alias === null) {
      delete event.logentry;
      return;
    }
    event.logentry = alias;
  }
  const raw = event.logentry;
  // A legacy `message` of `false` means none; anything else that is not an object is the text.
  if (raw === false) {
    Reflect.deleteProperty(event, "logentry");
    return;
  }
  const entry: Json = isObject(raw) ? copyObject(raw) : { formatted: typeof raw === "string" ? raw : sortedJson(raw) };
  event.logentry = entry;
  for (const key of ["formatted", "message"]) readString(fieldsOf(context)(entry, key, ["logentry", key]));
  const params = entry.params;
  if (params !== undefined && params !== null && typeof params !== "object") rejectField(fieldsOf(context)(entry, "params", ["logentry", "params"]), expected("message parameters"));
}

function normalizeLogEntry(context: Context): void {
  const entry = context.event.logentry;
  if (!isObject(entry)) return;
  if (Object.keys(entry).length === 0) {
    delete context.event.logentry;
    return;
  }
  const hasParams = entry.params !== undefined && entry.params !== null;
  if (typeof entry.formatted !== "string" && typeof entry.message !== "string") {
    const original: Json = { formatted: null, message: null, params: hasParams ? entry.params : null };
    for (const key of Object.keys(entry)) if (!(key in original)) setOwn(original, key, entry[key]);
    context.meta.clearInside(["logentry"]);
    context.meta.addError(["logentry"], invalid("no message present"));
    context.meta.setOriginal(["logentry"], original);
    context.event.logentry = null;
    return;
  }
  if (hasParams && typeof entry.formatted !== "string" && typeof entry.message === "string") {
    const formatted = formatMessage(entry.message, entry.params);
    if (formatted !== undefined) entry.formatted = formatted;
  }
  if (typeof entry.formatted !== "string" || entry.message === entry.formatted) {
    entry.formatted = entry.message;
    delete entry.message;
  }
}

function readExceptions(context: Context): void {
  const values = readValues(context, "exception");
  values?.forEach((exception, index) => {
    if (!isObject(exception)) return;
    const path = ["exception", "values", index];
    readString(fieldsOf(context)(exception, "type", [...path, "type"]));
    readJsonLenientString(fieldsOf(context)(exception, "value", [...path, "value"]));
    readString(fieldsOf(context)(exception, "module", [...path, "module"]));
    readObject(fieldsOf(context)(exception, "stacktrace", [...path, "stacktrace"]));
    readObject(fieldsOf(context)(exception, "mechanism", [...path, "mechanism"]));
  });
}

function readBreadcrumbs(context: Context): void {
  const values = readValues(context, "breadcrumbs");
  values?.forEach((crumb, index) => {
    if (!isObject(crumb)) return;
    const path = ["breadcrumbs", "values", index];
    // Old Python SDKs wrote `ty` for `type`.
    if ((crumb.type === undefined || crumb.type === null) && crumb.ty !== undefined) {
      crumb.type = crumb.ty;
      Reflect.deleteProperty(crumb, "ty");
    }
    if (typeof crumb.event_id === "string") crumb.event_id = normalizeEventId(crumb.event_id) ?? crumb.event_id;
    readTimestampSlot(context, fieldsOf(context)(crumb, "timestamp", [...path, "timestamp"]));
    readLevel(fieldsOf(context)(crumb, "level", [...path, "level"]));
    readString(fieldsOf(context)(crumb, "type", [...path, "type"]));
    readString(fieldsOf(context)(crumb, "category", [...path, "category"]));
    readObject(fieldsOf(context)(crumb, "data", [...path, "data"]));
  });
}

function readSpans(context: Context): void {
  const { event } = context;
  if (!Array.isArray(event.spans)) return;
  event.spans = event.spans.map((span: unknown, index) => {
    if (!isObject(span)) return span;
    const copy = copyObject(span);
    readTimestampSlot(context, fieldsOf(context)(copy, "start_timestamp", ["spans", index, "start_timestamp"]));
    readTimestampSlot(context, fieldsOf(context)(copy, "timestamp", ["spans", index, "timestamp"]));
    return copy;
  });
}

function readContexts(context: Context): void {
  const contexts = readObject(fieldsOf(context)(context.event, "contexts", ["contexts"]));
  if (!contexts) return;
  for (const key of Object.keys(contexts)) {
    const value = contexts[key];
    if (isObject(value)) {
      const copy = copyObject(value);
      // A context without a type takes its key as type (`os`, `browser`, ...), as Relay reads it.
      copy.type ??= key;
      setOwn(contexts, key, copy);
    } else if (value !== null && value !== undefined) {
      rejectField(fieldsOf(context)(contexts, key, ["contexts", key]), expected("an object"));
    }
  }
}

function readModules(context: Context): void {
  const modules = readObject(fieldsOf(context)(context.event, "modules", ["modules"]));
  if (!modules) return;
  for (const key of Object.keys(modules)) {
    const value = modules[key];
    if (value !== null && typeof value !== "string") rejectField(fieldsOf(context)(modules, key, ["modules", key]), expected("a string"));
  }
}

/**
 * `fingerprint` as Relay reads it: a list whose parts are read like Python's `str()`; nulls are
 * skipped, and parts that cannot be text are dropped and listed in an error.
 */
function readFingerprint(context: Context): void {
  const { event, meta } = context;
  const value = event.fingerprint;
  if (value === undefined || value === null) {
    Reflect.deleteProperty(event, "fingerprint");
    return;
  }
  if (!Array.isArray(value)) {
    rejectField(fieldsOf(context)(event, "fingerprint", ["fingerprint"]), expected("an array"));
    return;
  }
  const parts: string[] = [];
  const bad: unknown[] = [];
  for (const part of value as unknown[]) {
    if (part === null || part === undefined) continue;
    if (typeof part === "string") parts.push(part);
    else if (typeof part === "boolean") parts.push(part ? "True" : "False");
    else if (typeof part === "number" && Number.isFinite(part) && Math.abs(part) < 2 ** 53) parts.push(String(Math.trunc(part)));
    else bad.push(part);
  }
  if (bad.length > 0) {
    meta.setLength(["fingerprint"], parts.length + bad.length);
    meta.addError(["fingerprint"], ["invalid_data", { value: bad }]);
  }
  event.fingerprint = parts.length === 0 && bad.length > 0 ? null : parts;
}

function readSdk(context: Context): void {
  const sdk = readObject(fieldsOf(context)(context.event, "sdk", ["sdk"]));
  if (!sdk) return;
  for (const key of ["name", "version"]) {
    readString(fieldsOf(context)(sdk, key, ["sdk", key]));
    if (sdk[key] === undefined && !context.meta.hasErrors(["sdk", key])) context.meta.addError(["sdk", key], "missing_attribute");
  }
}

/** A character as Rust's debug format writes it (`'\\n'`, `' '`), for Relay's error texts. */
function debugChar(char: string): string {
  const escapes: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0", "'": "\\'", "\\": "\\\\" };
  const escaped = escapes[char] ?? (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(char) ? `\\u{${char.codePointAt(0)!.toString(16)}}` : char);
  return `'${escaped}'`;
}

/** The schema's rules for strings: trimmed, never empty, only allowed characters. */
function applyStringRules(context: Context, key: string, rules: { trim?: boolean; nonEmpty?: boolean; allowed?: RegExp; denied?: RegExp }): void {
  const { event } = context;
  const raw = event[key];
  if (typeof raw !== "string") return;
  const value = rules.trim ? raw.trim() : raw;
  event[key] = value;
  if (rules.nonEmpty && value === "") {
    context.meta.addError([key], invalid("expected a non-empty string"));
    event[key] = null;
    return;
  }
  const bad = Array.from(value).find((char) => (rules.allowed !== undefined && !rules.allowed.test(char)) || (rules.denied?.test(char) ?? false));
  if (bad !== undefined) rejectField(fieldsOf(context)(event, key, [key]), invalid(`invalid character ${debugChar(bad)}`));
}

/** Reads every field into the types Relay's event schema has, recording what it had to remove. */
function readSchema(context: Context): void {
  const { event } = context;
  for (const key of ["logger", "platform", "culprit", "transaction", "server_name", "site", "environment", "dist"]) {
    readString(fieldsOf(context)(event, key, [key]));
  }
  readLenientString(fieldsOf(context)(event, "release", ["release"]));
  applyStringRules(context, "transaction", { trim: true });
  applyStringRules(context, "release", { trim: true, nonEmpty: true });
  applyStringRules(context, "dist", { trim: true, nonEmpty: true, allowed: /[a-zA-Z0-9_.-]/ });
  applyStringRules(context, "environment", { trim: true, nonEmpty: true });
  applyStringRules(context, "logger", { denied: /[\r\n]/ });
  readLevel(fieldsOf(context)(event, "level", ["level"]));
  readTimestampSlot(context, fieldsOf(context)(event, "timestamp", ["timestamp"]));
  readTimestampSlot(context, fieldsOf(context)(event, "start_timestamp", ["start_timestamp"]));
  readLogEntry(context);
  readExceptions(context);
  readBreadcrumbs(context);
  readSpans(context);
  readContexts(context);
  readUser(context);
  readModules(context);
  readFingerprint(context);
  readSdk(context);
  for (const key of ["extra", "request", "stacktrace"]) readObject(fieldsOf(context)(event, key, [key]));
  readValues(context, "threads");
  if (event.tags === null) delete event.tags;
  if (typeof event.time_spent === "number" && event.time_spent >= MAX_TIME_SPENT) delete event.time_spent;
  // Relay writes `received` itself; what a client sends there is discarded.
  delete event.received;
}

function shiftTimestamps(context: Context, drift: bigint): void {
  for (const slot of context.slots) slot.instant += drift;
}

/**
 * Clock drift and timestamp bounds, as Relay validates them: a `sentAt` that is off by 55 minutes
 * or more shifts every timestamp; a timestamp too far in the future or past becomes the time
 * received and shifts the others alike. Each correction is noted on `timestamp` in `_meta`.
 */
function validateTimestamps(context: Context, eventTimestamp: TimestampSlot | undefined): TimestampSlot {
  const { options, meta } = context;
  const received = instantFromMillis(options.receivedAt);
  if (options.sentAt !== undefined) {
    const sentAt = instantFromMillis(options.sentAt);
    const drift = received - sentAt;
    const driftSeconds = drift < 0n ? -drift / 1_000_000_000n : drift / 1_000_000_000n;
    if (driftSeconds >= BigInt(Math.floor((options.minClockDriftMs ?? MIN_CLOCK_DRIFT_MS) / 1000))) {
      shiftTimestamps(context, drift);
      meta.addError(["timestamp"], ["clock_drift", { sdk_time: formatRfc3339(sentAt), server_time: formatRfc3339(received) }]);
    }
  }
  if (eventTimestamp) {
    const { instant } = eventTimestamp;
    const future = instant > received + BigInt(options.maxFutureMs ?? 60_000) * NANOS_PER_MS;
    const past = instant < received - BigInt(options.maxPastMs ?? 30 * 24 * 3600 * 1000) * NANOS_PER_MS;
    if (future || past) {
      shiftTimestamps(context, received - instant);
      meta.addError(["timestamp"], [future ? "future_timestamp" : "past_timestamp", { sdk_time: formatRfc3339(instant), server_time: formatRfc3339(received) }]);
    }
    return eventTimestamp;
  }
  const slot = { holder: context.event, key: "timestamp", instant: received };
  context.slots.push(slot);
  return slot;
}

/** Spans dated before 1970 are removed; an event dated so cannot be accepted. */
function rejectStaleTimestamps(context: Context): boolean {
  const { event, slots, meta } = context;
  const stale = (holder: Json, key: string): Instant | undefined => {
    const slot = slots.find((candidate) => candidate.holder === holder && candidate.key === key);
    return slot && slot.instant < 0n ? slot.instant : undefined;
  };
  if (stale(event, "timestamp") !== undefined || stale(event, "start_timestamp") !== undefined) return false;
  if (Array.isArray(event.spans)) {
    event.spans = event.spans.map((span: unknown, index) => {
      if (!isObject(span)) return span;
      const instant = stale(span, "start_timestamp") ?? stale(span, "timestamp");
      if (instant === undefined) return span;
      meta.addError(["spans", index], invalid(`timestamp is too stale: ${formatDisplay(instant)}`));
      return null;
    });
  }
  return true;
}

/** The SDK's `sdk.settings.infer_ip`: absent means the legacy rules, an unknown value means never. */
function inferIpSetting(event: Json): "auto" | "never" | "legacy" {
  const sdk = isObject(event.sdk) ? event.sdk : undefined;
  const setting = sdk && isObject(sdk.settings) ? sdk.settings.infer_ip : undefined;
  if (setting === undefined || setting === null || setting === "legacy") return "legacy";
  return setting === "auto" ? "auto" : "never";
}

function normalizeIpAddresses(context: Context): void {
  const { event, options } = context;
  const clientIp = options.inferIpAddress === false ? undefined : options.clientIp;
  const setting = inferIpSetting(event);
  let user = isObject(event.user) ? event.user : undefined;
  if (setting === "never") {
    // Never inferred: a `{{auto}}` placeholder is dropped rather than resolved.
    if (user?.ip_address === "{{auto}}") delete user.ip_address;
    return;
  }
  const request = isObject(event.request) ? event.request : undefined;
  let env = request && isObject(request.env) ? request.env : undefined;
  if (clientIp !== undefined && request && env?.REMOTE_ADDR === "{{auto}}") {
    env = { ...env, REMOTE_ADDR: clientIp };
    request.env = env;
  }
  const httpIp = typeof env?.REMOTE_ADDR === "string" && isIpAddress(env.REMOTE_ADDR) ? env.REMOTE_ADDR : undefined;
  const inferred = httpIp ?? clientIp;
  const current = user?.ip_address;
  // `{{auto}}` always asks for the address; with `auto`, a missing address does too.
  if (inferred !== undefined && (current === "{{auto}}" || (current === undefined && setting === "auto"))) {
    user ??= {};
    user.ip_address = inferred;
    event.user = user;
  }
  if (setting !== "legacy") return;
  if (httpIp !== undefined) {
    user ??= {};
    user.ip_address ??= httpIp;
    event.user = user;
  } else if (inferred !== undefined && user?.ip_address === undefined && typeof event.platform === "string" && IP_PLATFORMS.has(event.platform)) {
    user ??= {};
    user.ip_address = inferred;
    event.user = user;
  }
}

function validateReleaseAndEnvironment(context: Context): void {
  const { event } = context;
  if (typeof event.release === "string") {
    const release = event.release;
    const bad = Buffer.byteLength(release) > 200 || release === "." || release === ".." || release.toLowerCase() === "latest" || /[/\\\r\n\t\v\f]/.test(release);
    if (bad) rejectField(fieldsOf(context)(event, "release", ["release"]), "invalid_data");
  }
  if (typeof event.environment === "string" && event.environment !== "") {
    const environment = event.environment;
    const bad = Buffer.byteLength(environment) > 64 || environment === "none" || /[/\r\n\f]/.test(environment);
    if (bad) rejectField(fieldsOf(context)(event, "environment", ["environment"]), "invalid_data");
  }
}

/** Unknown user attributes move into `user.data`. */
function normalizeUser(context: Context): void {
  const user = context.event.user;
  if (!isObject(user)) return;
  const other = Object.keys(user).filter((key) => !KNOWN_USER_FIELDS.has(key));
  if (other.length === 0) return;
  const data = isObject(user.data) ? copyObject(user.data) : {};
  for (const key of other) {
    setOwn(data, key, user[key]);
    Reflect.deleteProperty(user, key);
  }
  user.data = data;
}

function normalizeBreadcrumbs(context: Context): void {
  const breadcrumbs = context.event.breadcrumbs;
  if (!isObject(breadcrumbs) || !Array.isArray(breadcrumbs.values)) return;
  for (const crumb of breadcrumbs.values as unknown[]) {
    if (!isObject(crumb)) continue;
    if (typeof crumb.type !== "string" || crumb.type === "") crumb.type = "default";
    crumb.level ??= "info";
  }
}

/** Kinds of debug images Relay knows; any other image is removed with an error. */
const DEBUG_IMAGE_TYPES = new Set(["apple", "symbolic", "macho", "elf", "pe", "pe_dotnet", "proguard", "wasm", "sourcemap", "jvm", "il2cpp"]);

function normalizeDebugImages(context: Context): void {
  const debugMeta = context.event.debug_meta;
  if (!isObject(debugMeta) || !Array.isArray(debugMeta.images)) return;
  const images = (debugMeta.images as unknown[]).map((image, index) => {
    if (!isObject(image) || (typeof image.type === "string" && DEBUG_IMAGE_TYPES.has(image.type))) return image;
    context.meta.addError(["debug_meta", "images", index], invalid("unsupported debug image type"));
    context.meta.setOriginal(["debug_meta", "images", index], image);
    return null;
  });
  context.event.debug_meta = { ...debugMeta, images };
}

function normalizeDist(context: Context): void {
  const { event } = context;
  if (typeof event.dist !== "string") return;
  const trimmed = event.dist.trim();
  if (trimmed === "") delete event.dist;
  else if (Array.from(trimmed).length > MAX_DIST_CHARS) rejectField(fieldsOf(context)(event, "dist", ["dist"]), "value_too_long");
  else event.dist = trimmed;
}

function isUrl(text: string): boolean {
  return text.startsWith("file:") || text.startsWith("http:") || text.startsWith("https:") || text.startsWith("applewebdata:");
}

function isEmptyText(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** Relay's frame fixes: `abs_path` and `filename` fill each other, `?` names go, context lines are never null. */
function normalizeFrame(frame: Json): void {
  if (isEmptyText(frame.abs_path)) {
    if (frame.filename === undefined || frame.filename === null) delete frame.abs_path;
    else frame.abs_path = frame.filename;
    delete frame.filename;
  }
  if (isEmptyText(frame.filename) && typeof frame.abs_path === "string") {
    frame.filename = frame.abs_path;
    if (isUrl(frame.abs_path)) {
      try {
        const path = new URL(frame.abs_path).pathname;
        if (path !== "" && path !== "/") frame.filename = path;
      } catch {
        // Not a URL after all: the filename stays the whole path.
      }
    }
  }
  if (frame.function === "?") delete frame.function;
  if (frame.symbol === "?") delete frame.symbol;
  let hasContext = false;
  for (const key of ["pre_context", "post_context"]) {
    const lines = frame[key];
    if (!Array.isArray(lines)) continue;
    frame[key] = lines.map((line: unknown) => line ?? "");
    hasContext ||= lines.length > 0;
  }
  if ((frame.context_line === undefined || frame.context_line === null) && hasContext) frame.context_line = "";
}

function normalizeStacktrace(context: Context, holder: Json, path: Path): void {
  const stacktrace = holder.stacktrace;
  if (!isObject(stacktrace)) return;
  const copy = copyObject(stacktrace);
  holder.stacktrace = copy;
  if (!Array.isArray(copy.frames)) {
    if ((copy.frames === undefined || copy.frames === null) && !context.meta.hasErrors([...path, "frames"])) context.meta.addError([...path, "frames"], "missing_attribute");
    return;
  }
  copy.frames = copy.frames.map((frame: unknown) => {
    if (!isObject(frame)) return frame;
    const frameCopy = copyObject(frame);
    normalizeFrame(frameCopy);
    return frameCopy;
  });
}

function valuesOf(container: unknown): unknown[] {
  return isObject(container) && Array.isArray(container.values) ? (container.values as unknown[]) : [];
}

function normalizeStacktraces(context: Context): void {
  const { event } = context;
  normalizeStacktrace(context, event, ["stacktrace"]);
  valuesOf(event.exception).forEach((exception, index) => {
    if (isObject(exception)) normalizeStacktrace(context, exception, ["exception", "values", index, "stacktrace"]);
  });
  valuesOf(event.threads).forEach((thread, index) => {
    if (isObject(thread)) normalizeStacktrace(context, thread, ["threads", "values", index, "stacktrace"]);
  });
}

const TYPE_IN_VALUE = /^([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+):(.*)$/u;

function normalizeExceptions(context: Context): void {
  const { event, meta } = context;
  const values = valuesOf(event.exception);
  if (values.length === 1 && isObject(values[0]) && event.stacktrace !== undefined) {
    values[0].stacktrace = event.stacktrace;
    delete event.stacktrace;
  }
  values.forEach((exception, index) => {
    if (!isObject(exception)) return;
    if (isEmptyText(exception.type) && typeof exception.value === "string") {
      const match = TYPE_IN_VALUE.exec(exception.value);
      if (match) {
        exception.type = match[1];
        exception.value = match[2]!.trim();
      }
    }
    if (isEmptyText(exception.type) && isEmptyText(exception.value)) {
      const original: Json = { type: null, value: null, module: null, stacktrace: null, raw_stacktrace: null, thread_id: null, mechanism: null };
      for (const key of Object.keys(exception)) setOwn(original, key, exception[key]);
      meta.clearInside(["exception", "values", index]);
      meta.addError(["exception", "values", index], ["missing_attribute", { attribute: "type or value" }]);
      meta.setOriginal(["exception", "values", index], original);
      values[index] = null;
    }
  });
}

function inferType(event: Json): string {
  if (event.type === "transaction" || event.type === "feedback") return event.type;
  if (valuesOf(event.exception).length > 0) return "error";
  for (const [key, type] of SECURITY_REPORTS) if (event[key] !== undefined && event[key] !== null) return type;
  if (isObject(event.contexts) && isObject(event.contexts.nel)) return "nel";
  return "default";
}

/** A Java logger name cut to 64 characters from the left, at a dot when it can, marked with `*`. */
function shortenLogger(context: Context, logger: string): string {
  const originalLength = Array.from(logger).length;
  const trimmed = logger.trim();
  const chars = Array.from(trimmed);
  if (chars.length <= MAX_LOGGER_CHARS) {
    if (trimmed === logger) return logger;
    if (trimmed === "") context.meta.addRemark([], ["@logger:remove", "x", 0, originalLength]);
    else context.meta.addRemark([], ["@logger:trim", "s"]);
    context.meta.setLength([], originalLength);
    return trimmed;
  }
  // Drop characters from the left until the rest and a leading `*` fit; a word cut in half goes too.
  let start = chars.length - MAX_LOGGER_CHARS + 1;
  const wordCut = chars[start - 1] !== ".";
  if (wordCut && chars.slice(start).includes(".")) {
    while (start < chars.length && chars[start] !== ".") start++;
  }
  context.meta.addRemark([], ["@logger:replace", "s", 0, start]);
  context.meta.setLength([], originalLength);
  return `*${chars.slice(start).join("")}`;
}

function sdkFromClient(client: string | undefined): Json | undefined {
  if (client === undefined) return undefined;
  const slash = client.indexOf("/");
  const space = client.indexOf(" ");
  const at = slash >= 0 ? slash : space;
  return at >= 0 ? { name: client.slice(0, at), version: client.slice(at + 1) } : undefined;
}

function setOrDelete(event: Json, key: string, value: unknown): void {
  if (value === undefined) Reflect.deleteProperty(event, key);
  else event[key] = value;
}

function normalizeDefaults(context: Context): void {
  const { event, options } = context;
  event.type = inferType(event);
  if (typeof event.platform === "string" && !PLATFORMS.has(event.platform)) dropFieldSoftly(fieldsOf(context)(event, "platform", ["platform"]));
  event.platform ??= "other";
  event.logger ??= "";
  event.level ??= event.type === "transaction" ? "info" : "error";
  if (event.sdk === undefined || event.sdk === null) {
    const sdk = sdkFromClient(options.client);
    if (sdk) event.sdk = sdk;
  }
  if (event.platform === "java" && typeof event.logger === "string") event.logger = shortenLogger(context, event.logger);
  // Relay writes these from its own configuration, whatever the client sent.
  setOrDelete(event, "project", options.projectId);
  setOrDelete(event, "key_id", options.keyId);
  setOrDelete(event, "version", options.protocolVersion);
  Reflect.deleteProperty(event, "grouping_config");
  if (event.type !== "transaction") delete event.measurements;
}

/**
 * Relay fills the `browser`, `device` and OS contexts from the request's User-Agent and client
 * hints (for security reports, the ones the report was sent with, added as headers before).
 */
function normalizeUserAgent(context: Context): void {
  const { event } = context;
  if (!isObject(event.request) || event.request.headers === undefined || event.request.headers === null) return;
  const headers = readRequestHeaders(event.request.headers);
  const contexts = isObject(event.contexts) ? event.contexts : {};
  addUserAgentContexts(contexts, event.platform, userAgentInfoFromHeaders(headers));
  event.contexts = contexts;
}

function normalizeRequestField(context: Context): void {
  const { event, meta } = context;
  if (!isObject(event.request)) return;
  const normalized = normalizeRequest(event.request);
  event.request = normalized.request;
  for (const found of normalized.remarks) {
    const path = ["request", found.field, ...(found.path ?? [])];
    meta.addError(path, found.error);
    meta.setOriginal(path, found.original);
    if (!found.path) setOwn(normalized.request, found.field, null);
  }
}

function normalizeContexts(context: Context): void {
  const { event, meta, options } = context;
  const contexts = isObject(event.contexts) ? event.contexts : {};
  // Sentry sets the reprocessing context itself; a client may not.
  delete contexts.reprocessing;
  for (const key of Object.keys(contexts)) {
    const value = contexts[key];
    if (!isObject(value)) continue;
    if (value.type === "trace") value.status ??= "unknown";
    normalizeContext(value);
  }
  // Every event gets a trace context; missing ids are made up and marked as such.
  const trace = isObject(contexts.trace) ? contexts.trace : { type: "trace" };
  if (trace.trace_id === undefined || trace.trace_id === null) {
    trace.trace_id = (options.generateTraceId ?? options.generateId)();
    meta.addRemark(["contexts", "trace", "trace_id"], ["trace_id.missing", "s"]);
  }
  if (trace.span_id === undefined || trace.span_id === null) {
    trace.span_id = (options.generateTraceId ?? options.generateId)().slice(16);
    meta.addRemark(["contexts", "trace", "span_id"], ["span_id.missing", "s"]);
  }
  trace.status ??= "unknown";
  trace.type ??= "trace";
  contexts.trace = trace;
  event.contexts = contexts;
}

function trimField(at: FieldRef, limits: { limit: number; allowance?: number }): void {
  const value = at.holder[at.key];
  if (typeof value === "string") at.holder[at.key] = trimString(value, limits, { meta: at.meta, path: at.path });
}

function trimStacktraceFrames(context: Context, holder: Json, path: Path): void {
  const stacktrace = holder.stacktrace;
  if (isObject(stacktrace) && Array.isArray(stacktrace.frames)) stacktrace.frames = trimFrames(stacktrace.frames, { meta: context.meta, path: [...path, "stacktrace", "frames"] });
}

/** Relay's trimming: long names and messages, free-form data by bag size, long stack traces. */
function trimEvent(context: Context): void {
  const { event, meta } = context;
  trimField(fieldsOf(context)(event, "culprit", ["culprit"]), { limit: MAX_CULPRIT_CHARS });
  trimField(fieldsOf(context)(event, "transaction", ["transaction"]), { limit: MAX_CULPRIT_CHARS });
  trimField(fieldsOf(context)(event, "logger", ["logger"]), { limit: MAX_LOGGER_CHARS });
  if (isObject(event.logentry)) {
    for (const key of ["message", "formatted"]) trimField(fieldsOf(context)(event.logentry, key, ["logentry", key]), { ...MESSAGE_LIMITS });
  }
  valuesOf(event.exception).forEach((exception, index) => {
    if (!isObject(exception)) return;
    const path = ["exception", "values", index];
    trimField(fieldsOf(context)(exception, "type", [...path, "type"]), { ...SYMBOL_LIMITS });
    trimField(fieldsOf(context)(exception, "value", [...path, "value"]), { ...MESSAGE_LIMITS });
    trimField(fieldsOf(context)(exception, "module", [...path, "module"]), { ...SYMBOL_LIMITS });
    trimStacktraceFrames(context, exception, path);
  });
  valuesOf(event.breadcrumbs).forEach((crumb, index) => {
    if (!isObject(crumb)) return;
    const path = ["breadcrumbs", "values", index];
    for (const key of ["type", "category"]) trimField(fieldsOf(context)(crumb, key, [...path, key]), { limit: ENUM_LIKE_CHARS });
    trimField(fieldsOf(context)(crumb, "message", [...path, "message"]), { ...MESSAGE_LIMITS });
    if (isObject(crumb.data)) crumb.data = trimBag(crumb.data, { size: BAG_SIZES.medium }, { meta, path: [...path, "data"] }) ?? null;
  });
  if (isObject(event.request)) {
    trimField(fieldsOf(context)(event.request, "url", ["request", "url"]), { limit: MAX_URL_CHARS });
    trimField(fieldsOf(context)(event.request, "fragment", ["request", "fragment"]), { limit: MAX_FRAGMENT_CHARS });
  }
  valuesOf(event.threads).forEach((thread, index) => {
    if (isObject(thread)) trimStacktraceFrames(context, thread, ["threads", "values", index]);
  });
  trimStacktraceFrames(context, event, []);
  if (event.extra !== undefined) {
    const extra = trimBag(event.extra, { size: BAG_SIZES.massive, childSize: BAG_SIZES.larger }, { meta, path: ["extra"] });
    if (extra === undefined) delete event.extra;
    else event.extra = extra;
  }
  if (isObject(event.contexts)) {
    const contexts = event.contexts;
    for (const key of Object.keys(contexts)) {
      if (isObject(contexts[key])) setOwn(contexts, key, trimBag(contexts[key], { size: BAG_SIZES.large }, { meta, path: ["contexts", key] }) ?? null);
    }
  }
  if (isObject(event.modules)) event.modules = trimBag(event.modules, { size: BAG_SIZES.large }, { meta, path: ["modules"] });
  if (isObject(event.request) && event.request.data !== undefined && event.request.data !== null) {
    event.request.data = trimBag(event.request.data, { size: BAG_SIZES.large }, { meta, path: ["request", "data"] }) ?? null;
  }
}

/** Fields Relay leaves out of its output when they are empty (and have nothing in `_meta`). */
const SKIPPED_WHEN_EMPTY = {
  structs: ["logentry", "user", "request", "breadcrumbs", "exception", "stacktrace", "threads", "sdk", "debug_meta", "measurements", "breakdowns"],
  maps: ["extra", "modules"],
  lists: ["fingerprint", "errors", "ingest_path"],
} as const;

function isShallowEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

function dropEmptyFields(context: Context): void {
  const { event, meta } = context;
  const drop = (key: string, empty: (value: unknown) => boolean): void => {
    if (key in event && empty(event[key]) && !meta.has([key])) Reflect.deleteProperty(event, key);
  };
  for (const key of SKIPPED_WHEN_EMPTY.structs) drop(key, (value) => isShallowEmpty(value) || (isObject(value) && Object.values(value).every(isShallowEmpty)));
  for (const key of [...SKIPPED_WHEN_EMPTY.maps, ...SKIPPED_WHEN_EMPTY.lists]) drop(key, isShallowEmpty);
}

/**
 * Brings an event into its canonical form (see {@link SentryEvent}) as a Relay does before
 * forwarding (the normalization every Relay runs, as in static, managed and proxy modes): values
 * read into the event schema's types, timestamps corrected for clock drift and bounds, the event
 * type inferred, defaults filled in (level, platform, logger, a trace context), tags, user,
 * request, exceptions, stack traces and breadcrumbs normalized, the `browser`, `device` and OS
 * contexts filled from the User-Agent and client hints, and oversized values trimmed.
 * Everything changed or removed is recorded in `_meta` the way Relay records it. Unknown
 * attributes are kept. Pure: the clock and the id generator are passed in.
 */
export function normalizeEvent(input: unknown, options: NormalizeOptions): Result<SentryEvent, EventError> {
  if (!isObject(input)) return err(new EventError("not_an_object", "the event is not a JSON object"));
  const event = copyObject(input);
  const meta = new EventMeta(event._meta);
  delete event._meta;
  for (const [oldName, name] of OLD_NAMES) {
    if (oldName in event) {
      event[name] ??= event[oldName];
      Reflect.deleteProperty(event, oldName);
    }
  }
  const context: Context = { event, meta, options, slots: [] };

  // The payload's id gives way to the envelope's, without a note, as Relay's finalization does.
  event.event_id = normalizeEventId(event.event_id) ?? options.generateId();
  const rawTags = event.tags;
  delete event.tags;
  readSchema(context);
  const tags = rawTags === undefined || rawTags === null ? { entries: [] } : readTags(rawTags, meta);

  const timestamp = validateTimestamps(context, context.slots.find((slot) => slot.holder === event && slot.key === "timestamp"));
  if (!rejectStaleTimestamps(context)) return err(new EventError("invalid_transaction", "invalid transaction event: timestamp is too stale"));

  normalizeIpAddresses(context);
  validateReleaseAndEnvironment(context);
  normalizeUser(context);
  normalizeLogEntry(context);
  normalizeDebugImages(context);
  normalizeBreadcrumbs(context);
  normalizeDist(context);
  if (event.environment === "") delete event.environment;
  if (tags) normalizeTags(tags, event);
  else for (const key of ["server_name", "site"]) Reflect.deleteProperty(event, key);
  normalizeStacktraces(context);
  normalizeExceptions(context);
  normalizeUserAgent(context);
  normalizeDefaults(context);
  normalizeRequestField(context);
  normalizeContexts(context);
  if (options.trim !== false) trimEvent(context);

  for (const slot of context.slots) slot.holder[slot.key] = instantToSeconds(slot.instant);
  event.timestamp = instantToSeconds(timestamp.instant);
  event.received = instantToSeconds(instantFromMillis(options.receivedAt));
  if (tags && tags.entries.length > 0) event.tags = writeTags(tags, meta);
  dropEmptyFields(context);
  const metaJson = meta.toJson();
  if (metaJson) event._meta = metaJson;
  return ok(event as SentryEvent);
}
