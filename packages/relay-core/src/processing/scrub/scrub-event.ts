import type { ScrubbingPolicy } from "./scrubbing-policy.js";

/** The replacement of every filtered value. */
export const FILTERED = "[Filtered]";

const DEFAULT_SENSITIVE_KEYS = ["password", "secret", "passwd", "api_key", "apikey", "access_token", "auth", "credentials", "mysql_pwd", "stripetoken"];
const COOKIE_KEYS = new Set(["cookie", "cookies", "set-cookie"]);

/** Beyond this nesting depth values are not walked but replaced, so scrubbing can never overflow the stack. */
const MAX_DEPTH = 128;

type Json = Record<string, unknown>;
type Remark = [rule: string, type: "s" | "x", start?: number, end?: number];

interface ValueRule {
  readonly id: string;
  readonly pattern: RegExp;
  /** Refines a match; a rejected match is left alone. */
  readonly accept?: (match: RegExpExecArray) => boolean;
  /** Text to put in place of the match (default: the whole match becomes `[Filtered]`). */
  readonly replace?: (match: RegExpExecArray) => string;
  readonly ipRule?: boolean;
}

/** Issuer prefixes of the card schemes (Visa, Mastercard, Amex, Discover, JCB, Diners, Maestro, UnionPay). */
const CARD_PREFIX = /^(4|5[1-5]|2[2-7]|3[47]|6011|65|64[4-9]|35|30[0-5]|36|38|39|50|5[6-8]|6[0-9]|62)/;

const RULES: readonly ValueRule[] = [
  {
    id: "@pemkey:filter",
    pattern: /-----BEGIN[A-Z ]*PRIVATE KEY-----[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----/g,
  },
  {
    id: "@urlauth:filter",
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/gi,
    replace: (m) => `${m[1]!}:${FILTERED}@`,
  },
  {
    id: "@creditcard:filter",
    pattern: /(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])/g,
    accept: (m) => {
      const digits = m[0].replace(/[ -]/g, "");
      // Card-number rules as Sentry applies them: issuer prefix and length, not the checksum.
      return digits.length >= 13 && digits.length <= 19 && CARD_PREFIX.test(digits);
    },
  },
  {
    id: "@usssn:filter",
    pattern: /\b\d{3}-\d{2}-\d{4}\b/g,
  },
  {
    id: "@bearer:filter",
    pattern: /\b(bearer\s+)[A-Za-z0-9._~+/-]+=*/gi,
    replace: (m) => `${m[1]!}${FILTERED}`,
  },
  {
    id: "@ip:replace",
    pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?(?![\w:])|::1\b/gi,
    ipRule: true,
  },
];

interface Context {
  readonly defaults: boolean;
  readonly ips: boolean;
  readonly sensitiveKeys: readonly string[];
  readonly excluded: ReadonlySet<string>;
  readonly meta: Json;
  count: number;
}

/** Sets an own property, also for `__proto__`, which plain assignment would treat as the prototype. */
function setOwn(target: Json, key: string, value: unknown): void {
  // Plain assignment is much faster; `__proto__` is the only inherited setter of a plain object.
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function metaAt(meta: Json, path: readonly (string | number)[]): Json {
  let node = meta;
  for (const segment of path) {
    const key = String(segment);
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Json;
    else {
      const created: Json = {};
      setOwn(node, key, created);
      node = created;
    }
  }
  return node;
}

function record(ctx: Context, path: readonly (string | number)[], remarks: readonly Remark[], originalLength: number | undefined): void {
  ctx.count += 1;
  const node = metaAt(ctx.meta, path);
  const existingHere = Object.hasOwn(node, "") ? node[""] : undefined;
  const here = (typeof existingHere === "object" && existingHere !== null ? existingHere : {}) as Json;
  const existing = Array.isArray(here.rem) ? (here.rem as unknown[]) : [];
  here.rem = [...existing, ...remarks];
  if (originalLength !== undefined && here.len === undefined) here.len = originalLength;
  node[""] = here;
}

function isSensitiveKey(key: string, ctx: Context): boolean {
  const lower = key.toLowerCase();
  if (ctx.excluded.has(lower)) return false;
  return ctx.sensitiveKeys.some((needle) => lower.includes(needle)) || (ctx.defaults && COOKIE_KEYS.has(lower));
}

function scrubString(value: string, path: readonly (string | number)[], ctx: Context): string {
  let out = value;
  const remarks: Remark[] = [];
  for (const rule of RULES) {
    if (rule.ipRule ? !ctx.ips : !ctx.defaults) continue;
    rule.pattern.lastIndex = 0;
    if (!rule.pattern.test(out)) continue;
    rule.pattern.lastIndex = 0;
    let result = "";
    let last = 0;
    for (let m = rule.pattern.exec(out); m !== null; m = rule.pattern.exec(out)) {
      if (m[0] === "") {
        rule.pattern.lastIndex += 1;
        continue;
      }
      if (rule.accept && !rule.accept(m)) continue;
      const replacement = rule.replace ? rule.replace(m) : FILTERED;
      const start = result.length + (m.index - last);
      result += out.slice(last, m.index) + replacement;
      remarks.push([rule.id, "s", start, start + replacement.length]);
      last = m.index + m[0].length;
    }
    if (last > 0) out = result + out.slice(last);
  }
  if (remarks.length > 0) record(ctx, path, remarks, value.length);
  return out;
}

function filterWhole(value: unknown, path: readonly (string | number)[], rule: string, ctx: Context): unknown {
  if (value === null || value === undefined || value === FILTERED || value === "") return value;
  const length = typeof value === "string" ? value.length : undefined;
  record(ctx, path, [[rule, "s", 0, FILTERED.length]], length);
  return FILTERED;
}

function walk(value: unknown, path: (string | number)[], ctx: Context, depth: number): unknown {
  if (typeof value === "string") return scrubString(value, path, ctx);
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) {
    record(ctx, path, [["!limit", "x"]], undefined);
    return null;
  }
  if (Array.isArray(value)) {
    // `[key, value]` pairs (headers, tags, cookies, query strings) are keyed like objects.
    const isPairList = value.every((entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string");
    return value.map((entry, index) => {
      if (isPairList && value.length > 0) {
        const [key, inner] = entry as [string, unknown];
        if (isSensitiveKey(key, ctx)) return [key, filterWhole(inner, [...path, index, 1], ruleFor(key), ctx)];
        return [key, walk(inner, [...path, index, 1], ctx, depth + 1)];
      }
      return walk(entry, [...path, index], ctx, depth + 1);
    });
  }
  const out: Json = {};
  for (const [key, inner] of Object.entries(value as Json)) {
    if (key === "_meta") {
      out[key] = inner;
      continue;
    }
    setOwn(out, key, isSensitiveKey(key, ctx) ? filterWhole(inner, [...path, key], ruleFor(key), ctx) : walk(inner, [...path, key], ctx, depth + 1));
  }
  return out;
}

function ruleFor(key: string): string {
  return COOKIE_KEYS.has(key.toLowerCase()) ? "@cookie:filter" : "@password:filter";
}

/** Top-level fields that hold data about the SDK and the event's identity, never scrubbed. */
const UNTOUCHED = new Set(["event_id", "timestamp", "start_timestamp", "received", "level", "platform", "sdk", "type", "release", "dist", "environment", "_meta"]);

/** The result of {@link scrubEvent}. */
export interface ScrubResult {
  /** The event with sensitive values replaced by `[Filtered]`, changes recorded in `_meta`. */
  readonly event: Record<string, unknown>;
  /** How many values were changed. */
  readonly scrubbed: number;
}

/**
 * Removes sensitive data from an event, as Sentry's server-side data scrubber does with its
 * default rules: values under keys that look like secrets (`password`, `secret`, `auth`, `api_key`,
 * ...), credit card numbers, passwords in URLs, PEM private keys, US social security numbers,
 * bearer tokens and cookies; IP addresses when asked. Every change is recorded in `_meta`.
 */
export function scrubEvent(event: Record<string, unknown>, policy: ScrubbingPolicy): ScrubResult {
  if (!policy.scrubData) return { event, scrubbed: 0 };
  const defaults = policy.scrubDefaults !== false;
  const meta: Json =
    typeof event._meta === "object" && event._meta !== null ? (structuredClone(event._meta) as Json) : {};
  const ctx: Context = {
    defaults,
    ips: Boolean(policy.scrubIpAddresses),
    sensitiveKeys: [...(defaults ? DEFAULT_SENSITIVE_KEYS : []), ...(policy.sensitiveFields ?? []).map((f) => f.toLowerCase()).filter((f) => f !== "")],
    excluded: new Set((policy.excludeFields ?? []).map((f) => f.toLowerCase())),
    meta,
    count: 0,
  };
  let input = event;
  const user = event.user;
  if (ctx.ips && typeof user === "object" && user !== null && !Array.isArray(user) && typeof (user as Json).ip_address === "string") {
    const original = (user as Json).ip_address as string;
    input = { ...event, user: { ...(user as Json), ip_address: null } };
    record(ctx, ["user", "ip_address"], [["@ip:remove", "x"]], original.length);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(input)) {
    setOwn(out, key, UNTOUCHED.has(key) ? value : walk(value, [key], ctx, 1));
  }
  if (ctx.count > 0) out._meta = meta;
  return { event: out, scrubbed: ctx.count };
}
