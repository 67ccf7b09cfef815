import { expected, invalid, type EventMeta, type MetaError } from "./event-meta.js";
import { trimString } from "./event-trimming.js";

/** Notes on one part of a tag (its key, its value, or the whole pair), written to `_meta` at the end. */
interface PartMeta {
  errors: MetaError[];
  original?: unknown;
  hasOriginal: boolean;
}

/** A tag as Relay holds it while normalizing: either part may be missing, or the whole entry. */
interface TagEntry {
  key: string | null;
  value: string | null;
  keyMeta?: PartMeta;
  valueMeta?: PartMeta;
  /** Set when the entry is not a pair at all (the entry is then written as `null`). */
  entryMeta?: PartMeta;
  invalidEntry: boolean;
}

/** Tags being normalized. */
export interface TagList {
  readonly entries: TagEntry[];
}

/** Relay's limit on tag keys and values, in characters. */
const MAX_TAG_CHARS = 200;
/** Tags Sentry sets itself; a client may not. */
const INTERNAL_TAGS = new Set(["release", "dist", "user", "filename", "function"]);
/** The largest integer a float can hold exactly; Relay refuses larger floats as tag values. */
const JSON_PRECISION = 2 ** 53;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function failure(error: MetaError, original?: unknown): PartMeta {
  return original === undefined ? { errors: [error], hasOriginal: false } : { errors: [error], original, hasOriginal: true };
}

/** A value as Python's `str()` would print it, the way Relay reads tag keys and values. */
function lenientString(value: unknown): { text: string | null; meta?: PartMeta } {
  if (value === null || value === undefined) return { text: null };
  if (typeof value === "string") return { text: value };
  if (typeof value === "boolean") return { text: value ? "True" : "False" };
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < JSON_PRECISION) return { text: String(value) };
    if (Math.abs(value) < JSON_PRECISION) return { text: String(Math.trunc(value)) };
    return { text: null, meta: failure(expected("a number with JSON precision"), value) };
  }
  return { text: null, meta: failure(expected("a primitive value"), value) };
}

/** Refuses a tag part with a line break in it. */
function checkChars(part: { text: string | null; meta?: PartMeta }): { text: string | null; meta?: PartMeta } {
  if (part.text?.includes("\n")) return { text: null, meta: failure(invalid("invalid characters in tag"), part.text) };
  return part;
}

function entryFrom(rawKey: { text: string | null; meta?: PartMeta }, rawValue: unknown): TagEntry {
  const key = checkChars(rawKey);
  const value = checkChars(lenientString(rawValue));
  const entry: TagEntry = { key: key.text === null ? null : key.text.trim().replaceAll(" ", "-"), value: value.text, invalidEntry: false };
  if (key.meta) entry.keyMeta = key.meta;
  if (value.meta) entry.valueMeta = value.meta;
  return entry;
}

/**
 * Reads `tags` as Relay does: an object (keys in sorted order) or a list of `[key, value]` pairs;
 * keys trimmed with spaces turned into dashes; numbers and booleans as text (`True`). Returns
 * `undefined` (and records why) when the value cannot be tags at all.
 */
export function readTags(value: unknown, meta: EventMeta): TagList | undefined {
  if (Array.isArray(value)) {
    const entries = value.map((item): TagEntry => {
      if (Array.isArray(item) && item.length === 2) return entryFrom(lenientString(item[0]), item[1]);
      if (item === null || item === undefined) return { key: null, value: null, invalidEntry: true };
      return { key: null, value: null, invalidEntry: true, entryMeta: failure(expected("a tuple"), item) };
    });
    return { entries };
  }
  if (isObject(value)) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { entries: keys.map((key) => entryFrom({ text: key }, value[key])) };
  }
  meta.addError(["tags"], expected("tags"));
  meta.setOriginal(["tags"], value);
  return undefined;
}

function findIndex(tags: TagList, key: string): number {
  return tags.entries.findIndex((entry) => !entry.invalidEntry && entry.key === key);
}

/**
 * Relay's tag normalization: the `environment` tag moves to `environment` when that is unset,
 * internal tags go, repeated keys keep their first value, empty or over-long keys and values
 * become `null` with an error, and `server_name` and `site` become tags.
 */
export function normalizeTags(tags: TagList, event: Record<string, unknown>): void {
  const environmentIndex = findIndex(tags, "environment");
  if (environmentIndex >= 0) {
    const [removed] = tags.entries.splice(environmentIndex, 1);
    if (removed?.value !== null && removed?.value !== undefined && (event.environment === undefined || event.environment === null)) event.environment = removed.value;
  }
  const seen = new Set<string | null>();
  const kept = tags.entries.filter((entry) => {
    if (entry.invalidEntry) return true;
    if (entry.key !== null && INTERNAL_TAGS.has(entry.key)) return false;
    if (seen.has(entry.key)) return false;
    seen.add(entry.key);
    return true;
  });
  tags.entries.splice(0, tags.entries.length, ...kept);
  for (const entry of tags.entries) {
    if (entry.invalidEntry) continue;
    if (entry.key !== null) {
      if (entry.key === "") entry.keyMeta = failure(invalid("expected a non-empty value"));
      else if (Array.from(entry.key).length > MAX_TAG_CHARS) entry.keyMeta = failure("value_too_long");
      if (entry.keyMeta) entry.key = null;
    }
    if (entry.value !== null) {
      if (entry.value === "") entry.valueMeta = failure(invalid("expected a non-empty value"));
      else if (Array.from(entry.value).length > MAX_TAG_CHARS) entry.valueMeta = failure("value_too_long");
      if (entry.valueMeta) entry.value = null;
    }
  }
  for (const field of ["server_name", "site"] as const) {
    const value = event[field];
    Reflect.deleteProperty(event, field);
    if (typeof value !== "string") continue;
    const index = findIndex(tags, field);
    if (index >= 0) {
      const entry = tags.entries[index]!;
      entry.value = value;
      delete entry.valueMeta;
    } else tags.entries.push({ key: field, value, invalidEntry: false });
  }
}

function writePart(meta: EventMeta, path: readonly (string | number)[], part: PartMeta | undefined): void {
  if (!part) return;
  for (const error of part.errors) meta.addError(path, error);
  if (part.hasOriginal) meta.setOriginal(path, part.original);
}

/** The tags as `[key, value]` pairs (`null` for a missing part or entry), their notes in `_meta`. */
export function writeTags(tags: TagList, meta: EventMeta): (readonly [string | null, string | null] | null)[] {
  return tags.entries.map((entry, index) => {
    if (entry.invalidEntry) {
      writePart(meta, ["tags", index], entry.entryMeta);
      return null;
    }
    writePart(meta, ["tags", index, 0], entry.keyMeta);
    writePart(meta, ["tags", index, 1], entry.valueMeta);
    const value = entry.value === null ? null : trimString(entry.value, { limit: MAX_TAG_CHARS }, { meta, path: ["tags", index, 1] });
    return [entry.key, value] as const;
  });
}
