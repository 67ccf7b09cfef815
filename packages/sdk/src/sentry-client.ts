import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { dsnEndpointUrl, isDisabledDsn, parseDsn, type Dsn } from "@org/protocol/dsn";
import { ScopeStack, tagPairs, type HttpContext, type ScopeData, type UserContext } from "./scope.js";
import { installGlobalHandlers } from "./integrations.js";
import { scrubEvent } from "./scrub-processor.js";
import { parseStack } from "./stacktrace.js";
import { HttpTransport, type TransportStats } from "./transport.js";

/** This SDK's name and version, sent as `sentry_client` and in `sdk`. */
export const SDK_NAME = "org.sdk.node";
export const SDK_VERSION = "0.1.0";

/** Severity of an event. */
export type Level = "fatal" | "error" | "warning" | "info" | "debug";

/** Tags as a map or as `[key, value]` pairs. */
export type Tags = Record<string, string> | readonly (readonly [string, string])[];

/** What a capture call may add to its event. */
export interface CaptureOptions {
  readonly tags?: Tags;
  readonly extra?: Record<string, unknown>;
  readonly level?: Level;
  readonly user?: UserContext;
  readonly fingerprint?: readonly string[];
  readonly logger?: string;
}

/** A breadcrumb: something that happened before an event. */
export interface Breadcrumb {
  readonly message?: string;
  readonly category?: string;
  readonly level?: Level;
  readonly type?: string;
  readonly data?: Record<string, unknown>;
  readonly timestamp?: number;
}

/** An event as built by the client, before processors. */
export type SentryEventJson = Record<string, unknown>;

/** Changes or drops (returns `null`) an event before it is sent. */
export type EventProcessor = (event: SentryEventJson) => SentryEventJson | null;

/** Options of {@link SentryClient}. */
export interface ClientOptions {
  /** Client-level tags, inherited by every event. */
  readonly tags?: Tags;
  readonly release?: string;
  readonly environment?: string;
  readonly serverName?: string;
  /** Default `logger` attribute of events. */
  readonly logger?: string;
  /** Breadcrumbs kept (ring buffer). */
  readonly maxBreadcrumbs?: number;
  /** Events waiting to be sent at most. */
  readonly queueSize?: number;
  /** Per-request soft timeout (default 3 s). */
  readonly timeoutMs?: number;
  /** Send request cookies / bodies (both off by default). */
  readonly sendCookies?: boolean;
  readonly sendRequestBodies?: boolean;
  /** Extra processors, run after the default scrubbing. */
  readonly processors?: readonly EventProcessor[];
  /** Last look at an event; `null` drops it. */
  readonly beforeSend?: EventProcessor;
  /** Where the client says whether it is active, and where send failures go (`sentry.errors`). */
  readonly log?: { info(message: string): void; error(message: string): void };
  /** Environment to read `SENTRY_DSN` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Report uncaught exceptions and unhandled rejections, then exit as Node would (default true;
   * set false to opt out, e.g. when the application installs its own handlers).
   */
  readonly captureUncaught?: boolean;
  /** Clock in milliseconds since the epoch. */
  readonly now?: () => number;
}

/** A DSN that could not be used; thrown by the constructor, as the SDK guide asks for misconfiguration. */
export class InvalidDsnError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "InvalidDsnError";
    this.code = code;
  }
}

function loadModules(): Record<string, string> {
  const modules: Record<string, string> = {};
  try {
    const pkgPath = join(process.cwd(), "package.json");
    if (!existsSync(pkgPath)) return modules;
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      try {
        const dep = JSON.parse(readFileSync(join(process.cwd(), "node_modules", name, "package.json"), "utf8")) as { version?: string };
        if (dep.version) modules[name] = dep.version;
      } catch {
        // A dependency that is not installed has no version to report.
      }
    }
  } catch {
    // Without a readable package.json there is nothing to report.
  }
  return modules;
}

/**
 * A Sentry client: `new SentryClient(dsn, options)`. An empty DSN (and no `SENTRY_DSN`) disables
 * it; a malformed DSN throws at once with the reason.
 */
export class SentryClient {
  /** Whether events are sent. */
  readonly enabled: boolean;
  /** The parsed DSN, when enabled. */
  readonly dsn: Dsn | undefined;
  /** The id of the last event captured. */
  lastEventId: string | undefined;

  private readonly options: ClientOptions;
  private readonly scopes = new ScopeStack();
  private readonly breadcrumbs: Breadcrumb[] = [];
  private readonly transport: HttpTransport | undefined;
  private readonly now: () => number;
  private modules: Record<string, string> | undefined;
  private uninstallHandlers: (() => void) | undefined;

  constructor(dsn: string | undefined, options: ClientOptions = {}) {
    this.options = options;
    this.now = options.now ?? Date.now;
    const log = options.log ?? { info: (m: string) => { console.info(m); }, error: (m: string) => { console.error(m); } };
    const text = isDisabledDsn(dsn) ? (options.env ?? process.env).SENTRY_DSN : dsn;
    if (isDisabledDsn(text)) {
      this.enabled = false;
      log.info("sentry: client disabled (no DSN configured)");
      return;
    }
    const parsed = parseDsn(text!);
    if (!parsed.ok) throw new InvalidDsnError(parsed.error.code, `sentry: invalid DSN: ${parsed.error.message}`);
    this.dsn = parsed.value;
    this.enabled = true;
    this.transport = new HttpTransport({
      dsn: parsed.value,
      client: `${SDK_NAME}/${SDK_VERSION}`,
      queueSize: options.queueSize,
      timeoutMs: options.timeoutMs,
      now: this.now,
      logError: (message) => {
        log.error(`sentry.errors: ${message}`);
      },
    });
    log.info(`sentry: client active, sending to ${dsnEndpointUrl(parsed.value, "envelope")}`);
    if (options.captureUncaught !== false) this.uninstallHandlers = installGlobalHandlers(this);
  }

  /** What the transport did so far (undefined when disabled). */
  get stats(): TransportStats | undefined {
    return this.transport?.stats;
  }

  /** Context helpers for the current async scope. */
  readonly context = {
    /** Merges tags, user, request and extra into the current scope. */
    merge: (data: { tags?: Tags; user?: UserContext; request?: HttpContext; extra?: Record<string, unknown> }): void => {
      const scope = this.scopes.current();
      scope.tags.push(...tagPairs(data.tags));
      if (data.user) scope.user = { ...scope.user, ...data.user };
      if (data.request) scope.request = { ...scope.request, ...data.request };
      if (data.extra) Object.assign(scope.extra, data.extra);
    },
    /** Forgets everything in the current scope. */
    clear: (): void => {
      const scope = this.scopes.current();
      scope.tags.length = 0;
      scope.user = undefined;
      scope.request = undefined;
      for (const key of Object.keys(scope.extra)) Reflect.deleteProperty(scope.extra, key);
    },
    /** A copy of the current scope. */
    get: (): ScopeData => structuredClone(this.scopes.current()),
  };

  /** Sets the user of the current scope. */
  userContext(user: UserContext): void {
    this.context.merge({ user });
  }

  /** Adds tags to the current scope. */
  tagsContext(tags: Tags): void {
    this.context.merge({ tags });
  }

  /** Sets the HTTP request of the current scope. */
  httpContext(request: HttpContext): void {
    this.context.merge({ request });
  }

  /** Adds extra data to the current scope. */
  extraContext(extra: Record<string, unknown>): void {
    this.context.merge({ extra });
  }

  /** Runs `fn` in a fresh child scope: context set inside stays inside (one per request). */
  runWithContext<T>(fn: () => T): T {
    return this.scopes.run(fn);
  }

  /** Records a breadcrumb; the oldest are forgotten beyond `maxBreadcrumbs`. */
  addBreadcrumb(breadcrumb: Breadcrumb): void {
    this.breadcrumbs.push({ ...breadcrumb, timestamp: breadcrumb.timestamp ?? this.now() / 1000 });
    const max = this.options.maxBreadcrumbs ?? 100;
    if (this.breadcrumbs.length > max) this.breadcrumbs.splice(0, this.breadcrumbs.length - max);
  }

  /** Captures a message; returns the event id. */
  captureMessage(message: string, options: CaptureOptions = {}): string {
    return this.capture({ message, logentry: { formatted: message }, level: options.level ?? "info" }, options);
  }

  /** Captures an error (or anything thrown); returns the event id. */
  captureException(error: unknown, options: CaptureOptions = {}): string {
    const values: Record<string, unknown>[] = [];
    let current: unknown = error;
    for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
      const err = current instanceof Error ? current : new Error(typeof current === "string" ? current : JSON.stringify(current));
      values.unshift({
        type: err.name,
        value: err.message,
        stacktrace: { frames: parseStack(err.stack) },
        mechanism: { type: "generic", handled: true },
      });
      current = current instanceof Error ? current.cause : undefined;
    }
    return this.capture({ exception: { values }, level: options.level ?? "error" }, options);
  }

  /**
   * Runs `fn` (sync or async) in its own scope with `options`' tags and extra; an error it throws
   * is captured and thrown again.
   */
  captureExceptions<T>(options: CaptureOptions, fn: () => T): T {
    return this.scopes.run(
      () => {
        try {
          const result = fn();
          if (result instanceof Promise) {
            return result.catch((error: unknown) => {
              this.captureException(error, { level: options.level });
              throw error;
            }) as T;
          }
          return result;
        } catch (error) {
          this.captureException(error, { level: options.level });
          throw error;
        }
      },
      (scope) => {
        scope.tags.push(...tagPairs(options.tags));
        Object.assign(scope.extra, options.extra);
        if (options.user) scope.user = { ...scope.user, ...options.user };
      },
    );
  }

  /** Waits until queued events are sent (or `timeoutMs`); true when the queue is empty. */
  flush(timeoutMs = 2000): Promise<boolean> {
    return this.transport?.flush(timeoutMs) ?? Promise.resolve(true);
  }

  /** Flushes and stops sending. */
  close(timeoutMs = 2000): Promise<boolean> {
    this.uninstallHandlers?.();
    this.uninstallHandlers = undefined;
    return this.transport?.close(timeoutMs) ?? Promise.resolve(true);
  }

  private capture(base: Record<string, unknown>, options: CaptureOptions): string {
    const eventId = randomUUID().replaceAll("-", "");
    this.lastEventId = eventId;
    if (!this.transport) return eventId;
    const scope = this.scopes.current();
    this.modules ??= loadModules();
    let event: SentryEventJson | null = {
      event_id: eventId,
      timestamp: this.now() / 1000,
      platform: "node",
      logger: options.logger ?? this.options.logger ?? "root",
      server_name: this.options.serverName ?? hostname(),
      release: this.options.release,
      environment: this.options.environment,
      sdk: { name: SDK_NAME, version: SDK_VERSION },
      modules: this.modules,
      tags: [...tagPairs(this.options.tags), ...scope.tags, ...tagPairs(options.tags)],
      extra: { ...scope.extra, ...options.extra },
      user: options.user ?? scope.user,
      request: scope.request,
      breadcrumbs: { values: [...this.breadcrumbs] },
      fingerprint: options.fingerprint,
      ...base,
    };
    event = scrubEvent(JSON.parse(JSON.stringify(event)) as SentryEventJson, this.options);
    for (const processor of this.options.processors ?? []) {
      event = processor(event);
      if (!event) return eventId;
    }
    if (this.options.beforeSend) event = this.options.beforeSend(event);
    if (event) this.transport.enqueue(eventId, event);
    return eventId;
  }
}
