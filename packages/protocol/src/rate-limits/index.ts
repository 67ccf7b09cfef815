export { DATA_CATEGORIES, toDataCategory } from "./data-category.js";
export type { DataCategory } from "./data-category.js";
export {
  DEFAULT_RETRY_AFTER,
  formatRateLimits,
  limitedUntil,
  limitsFromResponse,
  parseRateLimits,
  parseRetryAfter,
} from "./rate-limits.js";
export type { ActiveLimit, RateLimit, RateLimitScope } from "./rate-limits.js";
