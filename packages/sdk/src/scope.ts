import { AsyncLocalStorage } from "node:async_hooks";
import type { Breadcrumb as EventBreadcrumb, Level, RequestInfo, User } from "@org/protocol/event";
import { safeString } from "./normalize.js";

export type { Level } from "@org/protocol/event";

/**
 * A breadcrumb: something that happened before an event. The event's breadcrumb fields; `data` takes
 * any value (it is normalized when the event is sent).
 */
export interface Breadcrumb extends Readonly<Pick<EventBreadcrumb, "message" | "category" | "level" | "type">> {
  readonly data?: Record<string, unknown>;
  /** Seconds since the epoch; the time it was added when missing. */
  readonly timestamp?: number;
}

/** A user, as in Sentry's user interface. */
export type UserContext = User;

/**
 * The HTTP request being handled, as in Sentry's request interface: its fields in the shapes this SDK
 * writes them (headers as one object, the query as a string).
 */
export interface HttpContext extends Pick<RequestInfo, "url" | "method"> {
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
  contexts: Record<string, unknown>;
  breadcrumbs: Breadcrumb[];
  level?: Level | undefined;
  fingerprint?: string[] | undefined;
}

/** Longest tag value Sentry keeps. */
const MAX_TAG_VALUE_LENGTH = 200;

/** Turns `{a: "1"}` or `[["a","1"]]` into tag pairs; anything else in there is skipped, never thrown. */
export function tagPairs(tags: unknown): [string, string][] {
  const pairs: [string, string][] = [];
  try {
    if (tags === null || typeof tags !== "object") return pairs;
    const entries: unknown[] = Array.isArray(tags) ? (tags as unknown[]) : Object.entries(tags);
    for (const entry of entries) {
      try {
        if (!Array.isArray(entry) || entry.length < 2) continue;
        const key = safeString(entry[0]);
        const value: unknown = entry[1];
        if (key === "" || value === undefined) continue;
        pairs.push([key, safeString(value).slice(0, MAX_TAG_VALUE_LENGTH)]);
      } catch {
        // One unreadable tag does not cost the others.
      }
    }
  } catch {
    // An object whose keys cannot be listed (a hostile Proxy) has no tags to give.
  }
  return pairs;
}

/** Whether a value is an object whose own properties can be merged (not an array, not a string). */
function isRecord(value: unknown): value is Record<string, unknown> {
  try {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

function shallowCopy<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  try {
    return { ...value };
  } catch {
    return value;
  }
}

/**
 * Context for events: tags, user, request, extra data, contexts, breadcrumbs, level and
 * fingerprint. Setters keep what they are given and never throw; values are made safe (normalized)
 * when an event is captured.
 */
export class Scope implements ScopeData {
  tags: [string, string][] = [];
  user: UserContext | undefined;
  request: HttpContext | undefined;
  extra: Record<string, unknown> = {};
  contexts: Record<string, unknown> = {};
  breadcrumbs: Breadcrumb[] = [];
  level: Level | undefined;
  fingerprint: string[] | undefined;
  /** Breadcrumbs kept (ring buffer). */
  maxBreadcrumbs: number;

  constructor(maxBreadcrumbs = 100) {
    this.maxBreadcrumbs = maxBreadcrumbs;
  }

  /** A copy that can change without changing this one. */
  clone(): Scope {
    const copy = new Scope(this.maxBreadcrumbs);
    copy.tags = [...this.tags];
    copy.user = shallowCopy(this.user);
    copy.request = shallowCopy(this.request);
    copy.extra = { ...this.extra };
    copy.contexts = { ...this.contexts };
    copy.breadcrumbs = [...this.breadcrumbs];
    copy.level = this.level;
    copy.fingerprint = this.fingerprint;
    return copy;
  }

  /** Adds one tag (a later value of the same key is sent too, as tag pairs allow). */
  setTag(key: string, value: unknown): this {
    this.tags.push(...tagPairs([[key, value]]));
    return this;
  }

  /** Adds tags given as a map or as pairs. */
  setTags(tags: unknown): this {
    this.tags.push(...tagPairs(tags));
    return this;
  }

  /** Sets the user (`null` forgets it). */
  setUser(user: UserContext | null): this {
    this.user = user ?? undefined;
    return this;
  }

  /** Merges fields into the user. */
  mergeUser(user: UserContext): this {
    if (!isRecord(user)) return this;
    try {
      this.user = { ...this.user, ...user };
    } catch {
      this.user = user;
    }
    return this;
  }

  /** Sets the HTTP request (`null` forgets it). */
  setRequest(request: HttpContext | null): this {
    this.request = request ?? undefined;
    return this;
  }

  /** Merges fields into the HTTP request. */
  mergeRequest(request: HttpContext): this {
    if (!isRecord(request)) return this;
    try {
      this.request = { ...this.request, ...request };
    } catch {
      this.request = request;
    }
    return this;
  }

  /** Sets one extra value. */
  setExtra(key: string, value: unknown): this {
    Object.defineProperty(this.extra, safeString(key), { value, enumerable: true, writable: true, configurable: true });
    return this;
  }

  /** Sets several extra values. */
  setExtras(extras: Record<string, unknown>): this {
    if (!isRecord(extras)) return this;
    try {
      for (const [key, value] of Object.entries(extras)) this.setExtra(key, value);
    } catch {
      // Extras that cannot be read are not set.
    }
    return this;
  }

  /** Sets a named context (`null` removes it). */
  setContext(name: string, context: Record<string, unknown> | null): this {
    const key = safeString(name);
    if (context === null) Reflect.deleteProperty(this.contexts, key);
    else Object.defineProperty(this.contexts, key, { value: context, enumerable: true, writable: true, configurable: true });
    return this;
  }

  /** Sets the level of every event captured in this scope. */
  setLevel(level: Level): this {
    this.level = level;
    return this;
  }

  /** Sets the fingerprint of every event captured in this scope. */
  setFingerprint(fingerprint: readonly string[]): this {
    try {
      this.fingerprint = Array.isArray(fingerprint) ? fingerprint.map((part) => safeString(part)) : undefined;
    } catch {
      this.fingerprint = undefined;
    }
    return this;
  }

  /** Records a breadcrumb; the oldest are forgotten beyond `maxBreadcrumbs`. */
  addBreadcrumb(breadcrumb: Breadcrumb): this {
    this.breadcrumbs.push(breadcrumb);
    if (this.breadcrumbs.length > this.maxBreadcrumbs) this.breadcrumbs.splice(0, this.breadcrumbs.length - this.maxBreadcrumbs);
    return this;
  }

  /** Forgets everything. */
  clear(): this {
    this.tags = [];
    this.user = undefined;
    this.request = undefined;
    this.extra = {};
    this.contexts = {};
    this.breadcrumbs = [];
    this.level = undefined;
    this.fingerprint = undefined;
    return this;
  }
}

/** The two scopes of an async context. */
export interface ScopePair {
  /** Lives as long as the request (or job): breadcrumbs, and tags and user set with `setTag`/`setUser`. */
  readonly isolation: Scope;
  /** The innermost `withScope` block. */
  readonly current: Scope;
}

/**
 * Scopes per async context: code running inside {@link ScopeStack.withScope} or
 * {@link ScopeStack.withIsolationScope} (and everything it awaits or schedules) sees its own
 * scopes, so concurrent requests never see each other's context. Outside any, the default pair
 * is used.
 */
export class ScopeStack {
  private readonly storage = new AsyncLocalStorage<ScopePair>();
  private readonly fallback: ScopePair;

  constructor(maxBreadcrumbs = 100) {
    this.fallback = { isolation: new Scope(maxBreadcrumbs), current: new Scope(maxBreadcrumbs) };
  }

  /** The scopes of the current async context. */
  pair(): ScopePair {
    return this.storage.getStore() ?? this.fallback;
  }

  /** Runs `fn` with a fork of the current scope; the isolation scope stays shared. */
  withScope<T>(fn: (scope: Scope) => T): T {
    const { isolation, current } = this.pair();
    const child = current.clone();
    return this.storage.run({ isolation, current: child }, () => fn(child));
  }

  /** Runs `fn` with forks of both scopes: what it sets, and its breadcrumbs, stay inside. */
  withIsolationScope<T>(fn: (scope: Scope) => T): T {
    const { isolation, current } = this.pair();
    const pair = { isolation: isolation.clone(), current: current.clone() };
    return this.storage.run(pair, () => fn(pair.isolation));
  }
}
