import { toDataCategory, type ActiveLimit, type DataCategory, type RateLimitScope } from "@org/protocol/rate-limits";

/** One quota of a project config (`config.quotas`), as Sentry sends it. */
export interface Quota {
  readonly id?: string | undefined;
  /** Empty: every category. */
  readonly categories: readonly DataCategory[];
  readonly scope: RateLimitScope;
  /** Only data of this organization, project or key id counts (the scope's own id when absent). */
  readonly scopeId?: string | undefined;
  /** `undefined`: unlimited; 0: nothing is accepted. */
  readonly limit?: number | undefined;
  /** Seconds of the counting window. */
  readonly window?: number | undefined;
  readonly reasonCode?: string | undefined;
}

/** An item of an envelope as quotas count it: its category and how much of it (bytes for attachments). */
export interface CountedItem {
  readonly category: DataCategory;
  readonly quantity: number;
}

/** Which ids the data belongs to, for a quota's scope. */
export interface QuotaSubject {
  readonly organizationId?: string | undefined;
  readonly projectId: string;
  /** The client key's public key. */
  readonly publicKey: string;
  /** The client key's numeric id, which Sentry's key-scoped quotas name. */
  readonly keyId?: string | undefined;
}

const SCOPES = new Set(["organization", "project", "key", "global"]);

/** Reads `config.quotas`; entries this relay cannot read are skipped (the upstream still enforces them). */
export function parseQuotas(value: unknown): Quota[] {
  if (!Array.isArray(value)) return [];
  const quotas: Quota[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const raw = entry as Record<string, unknown>;
    const scope = typeof raw.scope === "string" && SCOPES.has(raw.scope) ? (raw.scope as RateLimitScope) : undefined;
    if (!scope) continue;
    const limit = typeof raw.limit === "number" && raw.limit >= 0 ? raw.limit : undefined;
    const window = typeof raw.window === "number" && raw.window > 0 ? raw.window : undefined;
    quotas.push({
      id: typeof raw.id === "string" ? raw.id : undefined,
      categories: Array.isArray(raw.categories) ? (raw.categories as unknown[]).filter((c) => typeof c === "string").map((c) => toDataCategory(c)) : [],
      scope,
      scopeId: typeof raw.scopeId === "string" || typeof raw.scopeId === "number" ? String(raw.scopeId) : undefined,
      limit,
      window,
      reasonCode: typeof raw.reasonCode === "string" ? raw.reasonCode : undefined,
    });
  }
  return quotas;
}

/** The id a quota of `scope` counts the data under. */
function scopeIdOf(scope: RateLimitScope, subject: QuotaSubject): string {
  if (scope === "organization") return subject.organizationId ?? `project:${subject.projectId}`;
  if (scope === "project") return subject.projectId;
  if (scope === "key") return subject.publicKey;
  return "global";
}

/** Whether a quota limited to `scopeId` applies to this data. */
function inScope(quota: Quota, subject: QuotaSubject): boolean {
  if (quota.scopeId === undefined || quota.scope === "global") return true;
  if (quota.scope === "organization") return quota.scopeId === subject.organizationId;
  if (quota.scope === "project") return quota.scopeId === subject.projectId;
  return quota.scopeId === subject.keyId || quota.scopeId === subject.publicKey;
}

/**
 * Enforces a project's quotas in this relay before data is forwarded, as Sentry's Relay does: a
 * quota with limit 0 refuses its categories outright; a quota with a limit and a window is counted
 * here (per relay, in fixed windows; attachments count their bytes). Exceeded quotas become rate
 * limits until the window ends, at the quota's scope.
 */
export class QuotaCounter {
  private readonly counts = new Map<string, { window: number; used: number }>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The limits the items run into, one per exceeded quota; counts what passes. */
  enforce(quotas: readonly Quota[], subject: QuotaSubject, items: readonly CountedItem[]): ActiveLimit[] {
    const at = this.now();
    const limits: ActiveLimit[] = [];
    for (const quota of quotas) {
      if (quota.limit === undefined) continue;
      if (!inScope(quota, subject)) continue;
      const matching = items.filter((item) => quota.categories.length === 0 || quota.categories.includes(item.category));
      if (matching.length === 0) continue;
      const reason = quota.reasonCode;
      if (quota.limit === 0) {
        limits.push({ until: at + 60_000, categories: quota.categories, scope: quota.scope, reason });
        continue;
      }
      if (quota.window === undefined || quota.id === undefined) continue;
      const windowMs = quota.window * 1000;
      const window = Math.floor(at / windowMs);
      const key = `${quota.id}:${quota.scope}:${scopeIdOf(quota.scope, subject)}`;
      const entry = this.counts.get(key);
      const used = entry?.window === window ? entry.used : 0;
      const quantity = matching.reduce((sum, item) => sum + item.quantity, 0);
      if (used + quantity > quota.limit) {
        limits.push({ until: (window + 1) * windowMs, categories: quota.categories, scope: quota.scope, reason });
        continue;
      }
      this.counts.set(key, { window, used: used + quantity });
    }
    return limits;
  }
}
