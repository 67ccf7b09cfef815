import { asObject, requestHeader, type Json } from "./event-access.js";
import { anyGlobMatches } from "./glob.js";
import { networkContains, parseIpAddress, parseIpNetwork } from "./ip-network.js";

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

const nonEmpty = (value: unknown): unknown => (value === "" ? undefined : value);
const path = (value: unknown, keys: readonly string[]): unknown =>
  keys.reduce<unknown>((current, key) => asObject(current)?.[key], value);

/** Fields of an event by their condition name (after `event.`), as Relay's event getter names them. */
const FIELDS: Readonly<Record<string, (event: Json) => unknown>> = {
  level: (event) => event.level,
  release: (event) => event.release,
  dist: (event) => event.dist,
  environment: (event) => event.environment,
  transaction: (event) => event.transaction,
  logger: (event) => event.logger,
  platform: (event) => (typeof event.platform === "string" ? event.platform : "other"),
  "user.email": (event) => nonEmpty(path(event, ["user", "email"])),
  "user.id": (event) => nonEmpty(path(event, ["user", "id"])),
  "user.ip_address": (event) => path(event, ["user", "ip_address"]),
  "user.name": (event) => path(event, ["user", "name"]),
  "user.segment": (event) => nonEmpty(path(event, ["user", "segment"])),
  "user.geo.city": (event) => path(event, ["user", "geo", "city"]),
  "user.geo.country_code": (event) => path(event, ["user", "geo", "country_code"]),
  "user.geo.region": (event) => path(event, ["user", "geo", "region"]),
  "user.geo.subdivision": (event) => path(event, ["user", "geo", "subdivision"]),
  "request.method": (event) => path(event, ["request", "method"]),
  "request.url": (event) => path(event, ["request", "url"]),
  "transaction.source": (event) => path(event, ["transaction_info", "source"]),
  "sdk.name": (event) => path(event, ["sdk", "name"]),
  "sdk.version": (event) => path(event, ["sdk", "version"]),
};

const CONTEXT_FIELDS = new Set([
  "app.in_foreground",
  "device.arch",
  "device.battery_level",
  "device.brand",
  "device.charging",
  "device.family",
  "device.model",
  "device.locale",
  "device.online",
  "device.orientation",
  "device.name",
  "device.screen_density",
  "device.screen_dpi",
  "device.screen_width_pixels",
  "device.screen_height_pixels",
  "device.simulator",
  "device.uuid",
  "os.build",
  "os.kernel_version",
  "os.name",
  "os.version",
  "browser.name",
  "browser.version",
  "profile.profile_id",
  "trace.status",
  "trace.op",
  "response.status_code",
  "unreal.crash_type",
]);

/** The value a condition's field name refers to, or `undefined` when the event has none. */
function fieldValue(event: Json, name: string): unknown {
  if (!name.startsWith("event.")) return undefined;
  const field = name.slice("event.".length);
  if (Object.hasOwn(FIELDS, field)) return FIELDS[field]!(event);
  if (field.startsWith("contexts.")) {
    const rest = field.slice("contexts.".length);
    return CONTEXT_FIELDS.has(rest) ? path(event.contexts, rest.split(".")) : undefined;
  }
  if (field.startsWith("measurements.") && field.endsWith(".value")) {
    return path(asObject(event.measurements)?.[field.slice("measurements.".length, -".value".length)], ["value"]);
  }
  if (field.startsWith("breakdowns.")) {
    const rest = field.slice("breakdowns.".length);
    const dot = rest.indexOf(".");
    if (dot === -1) return undefined;
    return path(event.breakdowns, [rest.slice(0, dot), rest.slice(dot + 1), "value"]);
  }
  if (field.startsWith("extra.")) return path(event.extra, field.slice("extra.".length).split("."));
  if (field.startsWith("tags.")) {
    const key = field.slice("tags.".length);
    const tags = event.tags;
    if (Array.isArray(tags)) {
      for (const pair of tags) if (Array.isArray(pair) && pair[0] === key) return pair[1];
      return undefined;
    }
    return asObject(tags)?.[key];
  }
  if (field.startsWith("request.headers.")) return requestHeader(event, field.slice("request.headers.".length));
  if (field === "duration") {
    const start = timestampSeconds(event.start_timestamp);
    const end = timestampSeconds(event.timestamp);
    if (event.type !== "transaction" || start === undefined || end === undefined || start > end) return undefined;
    return (end - start) * 1000;
  }
  return undefined;
}

function timestampSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis / 1000;
}

/** `eq`: strings (one, or any of a list; optionally ignoring case), booleans, or null for a missing field. */
function equals(actual: unknown, expected: unknown, ignoreCase: boolean): boolean {
  if (actual === undefined || actual === null) return expected === null;
  const same = (a: string, b: string) => (ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b);
  if (typeof actual === "string") {
    if (typeof expected === "string") return same(actual, expected);
    if (Array.isArray(expected)) return expected.some((item) => typeof item === "string" && same(actual, item));
    return false;
  }
  return typeof actual === "boolean" && typeof expected === "boolean" && actual === expected;
}

/** Orders numbers by value and strings by code point; anything else is not comparable. */
function compare(actual: unknown, expected: unknown): number | undefined {
  if (typeof actual === "number" && typeof expected === "number") return actual - expected;
  if (typeof actual === "string" && typeof expected === "string") return actual < expected ? -1 : actual > expected ? 1 : 0;
  return undefined;
}

function inNetworks(actual: unknown, networks: unknown): boolean {
  const address = typeof actual === "string" ? parseIpAddress(actual) : undefined;
  if (!address || !Array.isArray(networks)) return false;
  return networks.some((entry) => {
    const network = typeof entry === "string" ? parseIpNetwork(entry) : undefined;
    return network !== undefined && networkContains(network, address);
  });
}

/**
 * Evaluates a rule condition on the event: `eq`, `glob` (a list of patterns, ignoring case),
 * `gt`, `gte`, `lt`, `lte`, `cidr`, `and`, `or` and `not`. Other operators never match.
 */
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
    case "glob":
      return typeof value === "string" && Array.isArray(rule.value) && anyGlobMatches(rule.value, value);
    case "cidr":
      return inNetworks(value, rule.value);
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
