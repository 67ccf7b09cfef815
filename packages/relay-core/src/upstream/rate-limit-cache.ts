import { formatRateLimits, limitedUntil, type ActiveLimit, type DataCategory } from "@org/protocol/rate-limits";

/** The answer for a client whose data is rate limited, as Sentry gives it. */
export interface RateLimitAnswer {
  /** Seconds until the last of the limited categories is free again. */
  readonly retryAfter: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Rate limits the upstream imposed, remembered at their scope until they expire: per project
 * key, per project, per organization (every project of it, once the relay knows which
 * organization a project belongs to) and globally, so that limited data is refused at the door.
 */
export class RateLimitCache {
  private readonly limits = new Map<string, ActiveLimit[]>();
  private readonly organizations = new Map<string, string>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Remembers the organization of a project (from its config), for organization-wide limits. */
  noteOrganization(projectId: string, organizationId: string | undefined): void {
    if (organizationId !== undefined && this.organizations.get(projectId) !== organizationId) {
      this.organizations.set(projectId, organizationId);
      // Bounded: project ids of a relay are few, but a flood of made-up ones must not grow this.
      if (this.organizations.size > 100_000) {
        const oldest = this.organizations.keys().next().value;
        if (oldest !== undefined) this.organizations.delete(oldest);
      }
    }
  }

  private scopeKey(limit: ActiveLimit, projectId: string, publicKey: string): string {
    if (limit.scope === "key") return `key:${publicKey}`;
    if (limit.scope === "global") return "global";
    const organization = this.organizations.get(projectId);
    if (limit.scope === "organization" && organization !== undefined) return `org:${organization}`;
    return `project:${projectId}`;
  }

  /** Remembers limits from an upstream answer for data of `projectId` sent with `publicKey`. */
  record(projectId: string, publicKey: string, limits: readonly ActiveLimit[]): void {
    const at = this.now();
    for (const limit of limits) {
      const key = this.scopeKey(limit, projectId, publicKey);
      const kept = (this.limits.get(key) ?? []).filter((entry) => entry.until > at);
      kept.push(limit);
      this.limits.set(key, kept);
    }
  }

  private active(projectId: string, publicKey: string): ActiveLimit[] {
    const at = this.now();
    const found: ActiveLimit[] = [];
    const organization = this.organizations.get(projectId);
    const keys = [`key:${publicKey}`, `project:${projectId}`, "global"];
    if (organization !== undefined) keys.push(`org:${organization}`);
    for (const key of keys) {
      const entries = this.limits.get(key);
      if (!entries) continue;
      const live = entries.filter((entry) => entry.until > at);
      if (live.length === 0) this.limits.delete(key);
      else if (live.length !== entries.length) this.limits.set(key, live);
      found.push(...live);
    }
    return found;
  }

  /** Every category limited right now for a key (one lookup for all of them). */
  limitedCategories(projectId: string, publicKey: string, categories: readonly DataCategory[]): DataCategory[] {
    if (this.limits.size === 0) return [];
    const active = this.active(projectId, publicKey);
    if (active.length === 0) return [];
    const at = this.now();
    return categories.filter((category) => limitedUntil(active, category, at) !== undefined);
  }

  /**
   * When every one of `categories` is limited, the 429 answer to give the client (with
   * `Retry-After` and `X-Sentry-Rate-Limits`); `undefined` when some data may pass.
   */
  check(projectId: string, publicKey: string, categories: readonly DataCategory[]): RateLimitAnswer | undefined {
    if (this.limits.size === 0 || categories.length === 0) return undefined;
    const active = this.active(projectId, publicKey);
    if (active.length === 0) return undefined;
    const at = this.now();
    let latest = 0;
    for (const category of categories) {
      const until = limitedUntil(active, category, at);
      if (until === undefined) return undefined;
      latest = Math.max(latest, until);
    }
    const retryAfter = Math.max(1, Math.ceil((latest - at) / 1000));
    return { retryAfter, headers: { "retry-after": String(retryAfter), "x-sentry-rate-limits": rateLimitsHeader(active, at) } };
  }

  /**
   * When some of `categories` are limited (not all: that is {@link check}'s 429), the
   * `X-Sentry-Rate-Limits` header for the answer that accepts the rest, so that the client stops
   * sending the limited data; `undefined` when nothing is limited.
   */
  partialHeaders(projectId: string, publicKey: string, categories: readonly DataCategory[]): Readonly<Record<string, string>> | undefined {
    if (this.limitedCategories(projectId, publicKey, categories).length === 0) return undefined;
    const at = this.now();
    return { "x-sentry-rate-limits": rateLimitsHeader(this.active(projectId, publicKey), at) };
  }
}

/** The active limits as Sentry writes them in `X-Sentry-Rate-Limits`. */
function rateLimitsHeader(active: readonly ActiveLimit[], at: number): string {
  return formatRateLimits(
    active.map((limit) => ({ retryAfter: Math.max(1, Math.ceil((limit.until - at) / 1000)), categories: limit.categories, scope: limit.scope, reason: limit.reason })),
  );
}
