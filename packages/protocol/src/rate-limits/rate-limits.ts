import { toDataCategory, type DataCategory } from "./data-category.js";

/** What a rate limit applies to. */
export type RateLimitScope = "organization" | "project" | "key" | "global" | "unknown";

/** One entry of `X-Sentry-Rate-Limits`. */
export interface RateLimit {
  /** Seconds the limit lasts from when it was received. */
  readonly retryAfter: number;
  /** Limited categories; empty means every category. */
  readonly categories: readonly DataCategory[];
  readonly scope: RateLimitScope;
  /** Why, when the server says (`my_limit`). */
  readonly reason?: string | undefined;
}

const SCOPES: ReadonlySet<string> = new Set(["organization", "project", "key", "global"]);

/**
 * Parses `X-Sentry-Rate-Limits` (`<secs>:<cat>;<cat>:<scope>[:<reason>], ...`) leniently: invalid
 * entries are skipped, unknown categories become `unknown`, a missing scope is `unknown`.
 */
export function parseRateLimits(header: string): RateLimit[] {
  const limits: RateLimit[] = [];
  for (const entry of header.split(",")) {
    const parts = entry.trim().split(":");
    const seconds = Number.parseFloat(parts[0] ?? "");
    if (!Number.isFinite(seconds) || seconds < 0 || !/^\s*\d/.test(parts[0] ?? "")) continue;
    const categories = (parts[1] ?? "")
      .split(";")
      .map((name) => name.trim())
      .filter((name) => name !== "")
      .map(toDataCategory);
    const scopeName = (parts[2] ?? "").trim();
    const reason = parts.slice(3).join(":").trim();
    limits.push({
      retryAfter: Math.ceil(seconds),
      categories,
      scope: SCOPES.has(scopeName) ? (scopeName as RateLimitScope) : "unknown",
      reason: reason === "" ? undefined : reason,
    });
  }
  return limits;
}

/** Formats rate limits as an `X-Sentry-Rate-Limits` value. */
export function formatRateLimits(limits: readonly RateLimit[]): string {
  return limits
    .map((limit) => {
      const scope = limit.scope === "unknown" ? "" : limit.scope;
      const base = `${limit.retryAfter}:${limit.categories.join(";")}:${scope}`;
      return limit.reason ? `${base}:${limit.reason}` : base;
    })
    .join(", ");
}

/** Parses `Retry-After`: delay seconds, or an HTTP date relative to `now` (ms). Returns seconds. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** Seconds a bare 429 without headers limits everything for. */
export const DEFAULT_RETRY_AFTER = 60;

/** A limit in force until a point in time. */
export interface ActiveLimit {
  /** Milliseconds since the epoch when it ends. */
  readonly until: number;
  readonly categories: readonly DataCategory[];
  readonly scope: RateLimitScope;
  readonly reason?: string | undefined;
}

/**
 * The limits a response imposes: `X-Sentry-Rate-Limits` when present (with any status), otherwise
 * `Retry-After` on a 429, otherwise 60 s for everything on a 429.
 */
export function limitsFromResponse(
  status: number,
  headers: { readonly rateLimits?: string | undefined; readonly retryAfter?: string | undefined },
  now: number,
): ActiveLimit[] {
  if (headers.rateLimits !== undefined && headers.rateLimits.trim() !== "") {
    return parseRateLimits(headers.rateLimits).map((limit) => ({
      until: now + limit.retryAfter * 1000,
      categories: limit.categories,
      scope: limit.scope,
      reason: limit.reason,
    }));
  }
  if (status !== 429) return [];
  const seconds = headers.retryAfter === undefined ? undefined : parseRetryAfter(headers.retryAfter, now);
  return [{ until: now + (seconds ?? DEFAULT_RETRY_AFTER) * 1000, categories: [], scope: "unknown" }];
}

/** Until when (ms) `category` is limited at `now`, or `undefined` when it is not. */
export function limitedUntil(limits: readonly ActiveLimit[], category: DataCategory, now: number): number | undefined {
  let until: number | undefined;
  for (const limit of limits) {
    if (limit.until <= now) continue;
    if (limit.categories.length > 0 && !limit.categories.includes(category)) continue;
    until = Math.max(until ?? 0, limit.until);
  }
  return until;
}
