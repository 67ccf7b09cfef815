import { AsyncLocalStorage } from "node:async_hooks";

/** A user, as in Sentry's user interface. */
export interface UserContext {
  id?: string | number;
  email?: string;
  username?: string;
  ip_address?: string;
  [key: string]: unknown;
}

/** The HTTP request being handled, as in Sentry's request interface. */
export interface HttpContext {
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  query_string?: string;
  cookies?: string | Record<string, string>;
  data?: unknown;
  env?: Record<string, string>;
  [key: string]: unknown;
}

/** What a scope carries into every event captured inside it. */
export interface ScopeData {
  tags: [string, string][];
  user?: UserContext | undefined;
  request?: HttpContext | undefined;
  extra: Record<string, unknown>;
}

/** Copies scope data so that a child never changes its parent. */
export function cloneScope(data: ScopeData): ScopeData {
  return { tags: [...data.tags], user: data.user && { ...data.user }, request: data.request && { ...data.request }, extra: { ...data.extra } };
}

/** Turns `{a: "1"}` or `[["a","1"]]` into tag pairs. */
export function tagPairs(tags: Record<string, string> | readonly (readonly [string, string])[] | undefined): [string, string][] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map(([k, v]) => [k, v] as [string, string]);
  return Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

/**
 * Scopes per async context: code running inside {@link ScopeStack.run} (and everything it awaits
 * or schedules) sees its own scope, so concurrent requests never see each other's context.
 * Outside any run, the global scope is used.
 */
export class ScopeStack {
  private readonly storage = new AsyncLocalStorage<ScopeData>();
  private readonly global: ScopeData = { tags: [], extra: {} };

  /** The scope of the current async context. */
  current(): ScopeData {
    return this.storage.getStore() ?? this.global;
  }

  /** Runs `fn` in a child of the current scope. */
  run<T>(fn: () => T, init?: (scope: ScopeData) => void): T {
    const child = cloneScope(this.current());
    init?.(child);
    return this.storage.run(child, fn);
  }
}
