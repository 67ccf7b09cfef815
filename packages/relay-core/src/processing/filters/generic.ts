import { asObject, type Json } from "./event-access.js";
import { anyGlobMatches } from "./glob.js";

/** The newest version of the generic-filter schema this relay understands. */
export const MAX_GENERIC_FILTERS_VERSION = 1;

/** One generic filter of `filterSettings.generic.filters`. */
export interface GenericFilter {
  readonly id?: unknown;
  readonly isEnabled?: unknown;
  readonly condition?: unknown;
}

/** `filterSettings.generic`: a schema version and an ordered list of filters. */
export interface GenericFilters {
  readonly version?: unknown;
  readonly filters?: unknown;
}

/** Reads a field of the event by its condition name (`event.release`, `event.user.id`, `event.tags.x`). */
function fieldValue(event: Json, name: string): unknown {
  const path = name.split(".");
  if (path[0] !== "event") return undefined;
  if (path[1] === "tags" && path.length >= 3) {
    const key = path.slice(2).join(".");
    const tags = event.tags;
    if (Array.isArray(tags)) {
      for (const pair of tags) if (Array.isArray(pair) && pair[0] === key) return pair[1];
      return undefined;
    }
    return asObject(tags)?.[key];
  }
  let current: unknown = event;
  for (const key of path.slice(1)) {
    const object = asObject(current);
    if (!object) return undefined;
    current = object[key];
  }
  return current;
}

function equals(actual: unknown, expected: unknown, ignoreCase: boolean): boolean {
  if (Array.isArray(expected)) return expected.some((item) => equals(actual, item, ignoreCase));
  if (typeof actual === "string" && typeof expected === "string") {
    return ignoreCase ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
  }
  if (expected === null) return actual === null || actual === undefined;
  return actual === expected;
}

function compare(actual: unknown, expected: unknown): number | undefined {
  if (typeof actual === "number" && typeof expected === "number") return actual - expected;
  if (typeof actual === "string" && typeof expected === "string") return actual < expected ? -1 : actual > expected ? 1 : 0;
  return undefined;
}

/** Evaluates a rule condition (`eq`, `glob`, `gt`, `gte`, `lt`, `lte`, `and`, `or`, `not`) on the event. */
export function conditionMatches(condition: unknown, event: Json): boolean {
  const rule = asObject(condition);
  if (!rule) return false;
  const inner = Array.isArray(rule.inner) ? rule.inner : [];
  const value = typeof rule.name === "string" ? fieldValue(event, rule.name) : undefined;
  switch (rule.op) {
    case "and":
      return inner.every((item) => conditionMatches(item, event));
    case "or":
      return inner.some((item) => conditionMatches(item, event));
    case "not":
      return !conditionMatches(rule.inner, event);
    case "eq":
      return equals(value, rule.value, asObject(rule.options)?.ignoreCase === true);
    case "glob": {
      const patterns = Array.isArray(rule.value) ? rule.value : [rule.value];
      return typeof value === "string" && anyGlobMatches(patterns, value);
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const order = compare(value, rule.value);
      if (order === undefined) return false;
      return rule.op === "gt" ? order > 0 : rule.op === "gte" ? order >= 0 : rule.op === "lt" ? order < 0 : order <= 0;
    }
    default:
      return false;
  }
}

/**
 * The id of the first enabled generic filter whose condition matches the event. Filters of a
 * schema version newer than this relay's are ignored as a whole; of several filters with one id
 * only the first counts; a filter without a condition (a flag for a global filter) matches nothing.
 */
export function matchingGenericFilter(event: Json, generic: GenericFilters | undefined): string | undefined {
  if (!generic) return undefined;
  const version = typeof generic.version === "number" ? generic.version : 0;
  if (version > MAX_GENERIC_FILTERS_VERSION) return undefined;
  const filters = Array.isArray(generic.filters) ? generic.filters : [];
  const seen = new Set<string>();
  for (const entry of filters) {
    const filter = asObject(entry) as GenericFilter | undefined;
    if (!filter || typeof filter.id !== "string" || seen.has(filter.id)) continue;
    seen.add(filter.id);
    if (filter.isEnabled === true && filter.condition != null && conditionMatches(filter.condition, event)) return filter.id;
  }
  return undefined;
}
