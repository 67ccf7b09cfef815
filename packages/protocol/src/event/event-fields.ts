import { expected, invalid, setOwn, type EventMeta, type MetaPathSegment } from "./event-meta.js";
import { sortedJson } from "./event-trimming.js";
import type { Level } from "./event-types.js";

type Json = Record<string, unknown>;
type Path = readonly MetaPathSegment[];

/** Where a field lives: the object holding it, its key, and its path for `_meta`. */
export interface FieldRef {
  readonly holder: Json;
  readonly key: string;
  readonly path: Path;
  readonly meta: EventMeta;
}

/**
 * Relay's levels; `log` is `info` and `critical` is `fatal`. Case matters. The protocol also names
 * `warn` as `warning` (spec/sentry-protocol.md), which old SDKs send.
 */
const LEVELS: ReadonlyMap<string, Level> = new Map(Object.entries({
  debug: "debug",
  info: "info",
  log: "info",
  warning: "warning",
  warn: "warning",
  error: "error",
  fatal: "fatal",
  critical: "fatal",
} satisfies Record<string, Level>));

/** Python logging levels, which some SDKs send as numbers. */
const PYTHON_LEVELS: ReadonlyMap<number, Level> = new Map([
  [10, "debug"],
  [20, "info"],
  [30, "warning"],
  [40, "error"],
  [50, "fatal"],
]);

/** The largest integer a float can hold exactly. */
const JSON_PRECISION = 2 ** 53;

/** Whether `value` is a plain JSON object. */
export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Removes a bad value, keeping its original in `_meta` with an error. The field stays as `null`:
 * Relay writes a removed value that has notes in `_meta` as `null`.
 */
export function rejectField(field: FieldRef, error: Parameters<EventMeta["addError"]>[1]): void {
  const original = field.holder[field.key];
  field.meta.addError(field.path, error);
  field.meta.setOriginal(field.path, original);
  setOwn(field.holder, field.key, null);
}

/** Removes a value but keeps its original in `_meta`, without an error (the field stays as `null`). */
export function dropFieldSoftly(field: FieldRef): void {
  field.meta.setOriginal(field.path, field.holder[field.key]);
  setOwn(field.holder, field.key, null);
}

/** A field that must be a string (when present): anything else is removed with `expected a string`. */
export function readString(field: FieldRef): string | undefined {
  const value = field.holder[field.key];
  if (value === undefined || value === null) {
    Reflect.deleteProperty(field.holder, field.key);
    return undefined;
  }
  if (typeof value === "string") return value;
  rejectField(field, expected("a string"));
  return undefined;
}

/** A field read like Python's `str()`: numbers and booleans (`True`) become text. */
export function readLenientString(field: FieldRef): string | undefined {
  const value = field.holder[field.key];
  if (value === undefined || value === null) {
    Reflect.deleteProperty(field.holder, field.key);
    return undefined;
  }
  let text: string | undefined;
  if (typeof value === "string") text = value;
  else if (typeof value === "boolean") text = value ? "True" : "False";
  else if (typeof value === "number") {
    if (Math.abs(value) >= JSON_PRECISION || !Number.isFinite(value)) {
      rejectField(field, expected("a number with JSON precision"));
      return undefined;
    }
    text = String(Math.trunc(value));
  } else {
    rejectField(field, expected("a primitive value"));
    return undefined;
  }
  field.holder[field.key] = text;
  return text;
}

/** A field read as a string, anything else written as JSON (exception values, messages). */
export function readJsonLenientString(field: FieldRef): string | undefined {
  const value = field.holder[field.key];
  if (value === undefined || value === null) {
    Reflect.deleteProperty(field.holder, field.key);
    return undefined;
  }
  const text = typeof value === "string" ? value : sortedJson(value);
  field.holder[field.key] = text;
  return text;
}

/** A field that must be an object (when present). */
export function readObject(field: FieldRef): Json | undefined {
  const value = field.holder[field.key];
  if (value === undefined || value === null) {
    Reflect.deleteProperty(field.holder, field.key);
    return undefined;
  }
  if (isObject(value)) {
    const copy = { ...value };
    field.holder[field.key] = copy;
    return copy;
  }
  rejectField(field, expected("an object"));
  return undefined;
}

/** A level as Relay reads it: a known name, or a Python logging number. */
export function readLevel(field: FieldRef): Level | undefined {
  const value = field.holder[field.key];
  if (value === undefined || value === null) {
    Reflect.deleteProperty(field.holder, field.key);
    return undefined;
  }
  if (typeof value === "string") {
    const level = LEVELS.get(value);
    if (level) {
      field.holder[field.key] = level;
      return level;
    }
    rejectField(field, invalid("invalid level"));
    return undefined;
  }
  if (typeof value === "number" && Number.isInteger(value)) {
    const level = PYTHON_LEVELS.get(value);
    if (level) {
      field.holder[field.key] = level;
      return level;
    }
    rejectField(field, "invalid_data");
    return undefined;
  }
  rejectField(field, expected("a level"));
  return undefined;
}

/** Copies `source` into a fresh object whose own keys are safe to assign. */
export function copyObject(source: Json): Json {
  const copy: Json = {};
  for (const key of Object.keys(source)) setOwn(copy, key, source[key]);
  return copy;
}
