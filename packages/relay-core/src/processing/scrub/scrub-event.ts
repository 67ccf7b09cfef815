import { normalizeRequest } from "@org/protocol/event";
import { contextType } from "./item-schema.js";
import { ScrubPlanCache } from "./scrub-plan.js";
import { scrubEventInPlace } from "./scrub-item.js";
import type { ScrubbingPolicy } from "./scrubbing-policy.js";

/** The replacement text of the `:filter` rules and of sensitive fields. */
export const FILTERED = "[Filtered]";

/** The result of {@link scrubEvent}. */
export interface ScrubResult {
  /** A scrubbed copy of the event, its changes recorded in `_meta`. */
  readonly event: Record<string, unknown>;
  /** How many values were changed. */
  readonly scrubbed: number;
}

const plans = new ScrubPlanCache();

/** Beyond the depth the scrubber walks, values are replaced anyway, so they need no copy. */
const CLONE_DEPTH = 140;

function cloneJson(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > CLONE_DEPTH) return value;
  if (Array.isArray(value)) return value.map((entry) => cloneJson(entry, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "__proto__") Object.defineProperty(out, key, { value: cloneJson(inner, depth + 1), enumerable: true, writable: true, configurable: true });
    else out[key] = cloneJson(inner, depth + 1);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The response context's cookies and headers as Relay reads them: pair lists, header names normalized. */
function shapeResponseContext(contexts: unknown): void {
  if (!isObject(contexts)) return;
  for (const [key, context] of Object.entries(contexts)) {
    if (!isObject(context) || contextType(key, context) !== "response") continue;
    if (context.cookies !== undefined && context.cookies !== null) {
      const shaped = normalizeRequest({ cookies: context.cookies }).request;
      if (Object.hasOwn(shaped, "cookies")) context.cookies = shaped.cookies;
    }
    if (isObject(context.headers)) {
      const headers = context.headers;
      context.headers = Object.keys(headers)
        .sort()
        .filter((name) => headers[name] !== null && headers[name] !== undefined)
        .map((name) => [headerName(name), headers[name]]);
    }
  }
}

/** `x-api-key` → `X-Api-Key`, as Relay reads header names. */
function headerName(name: string): string {
  return name.replace(/(^|-)(.)/g, (_match, dash: string, first: string) => dash + first.toUpperCase());
}

/**
 * Scrubs a copy of an event as Sentry's Relay does (its request first shaped as Relay's
 * normalization shapes it): the advanced rules of `piiConfig` first, then
 * the rules derived from the scrubbing policy (`scrubData`, `scrubDefaults`, `scrubIpAddresses`,
 * `sensitiveFields`, `excludeFields`). Every change is recorded in `_meta`.
 */
export function scrubEvent(event: Record<string, unknown>, policy: ScrubbingPolicy, piiConfig?: unknown): ScrubResult {
  const { plan } = plans.get({ piiConfig }, policy);
  if (plan.applications.length === 0 && plan.scrubGraphql !== true) return { event, scrubbed: 0 };
  const copy = cloneJson(event, 0) as Record<string, unknown>;
  if (isObject(copy.request)) copy.request = normalizeRequest(copy.request).request;
  shapeResponseContext(copy.contexts);
  const scrubbed = scrubEventInPlace(copy, plan);
  return { event: copy, scrubbed };
}
