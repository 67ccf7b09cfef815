import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { dsnEndpointUrl, isDisabledDsn, parseDsn, type Dsn, type DsnErrorCode } from "@org/protocol/dsn";
import { newEventId } from "@org/protocol/envelope";
import type { Breadcrumb as EventBreadcrumb, SentryEvent } from "@org/protocol/event";
import { DiscardCounter, type DiscardCategory, type DiscardedEvents, type DiscardReason } from "./client-reports.js";
import { fitEvent, MAX_EVENT_BYTES } from "./fit-event.js";
import { httpIntegration } from "./http-integration.js";
import { installGlobalHandlers, type Integration, type Uninstall } from "./integrations.js";
import { DEFAULT_NORMALIZE_DEPTH, DEFAULT_NORMALIZE_MAX_BREADTH, describeThrown, normalize, safeString } from "./normalize.js";
import { ScopeStack, tagPairs, type Breadcrumb, type Scope, type HttpContext, type Level, type ScopeData, type UserContext } from "./scope.js";
import { scrubEvent } from "./scrub-processor.js";
import { parseStack } from "./stacktrace.js";
import { HttpTransport, type TransportStats } from "./transport.js";

export type { Breadcrumb, Level } from "./scope.js";

/** This SDK's name and version, sent as `sentry_client` and in `sdk`. */
export const SDK_NAME = "org.sdk.node";
export const SDK_VERSION = "0.1.0";

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

/**
 * An event as the client builds it and hands it to processors and `beforeSend`: protocol's
 * {@link SentryEvent} (tags as pairs, breadcrumbs and exceptions as `{values}`, seconds), whose
 * attributes beyond the known ones are kept.
 */
export type SentryEventJson = SentryEvent;

/** Changes or drops (returns `null`) an event before it is sent. */
export type EventProcessor = (event: SentryEventJson) => SentryEventJson | null;

/** Changes or drops (returns `null`) a breadcrumb before it is recorded. */
export type BreadcrumbProcessor = (breadcrumb: Breadcrumb) => Breadcrumb | null;

/** Options of {@link SentryClient}. */
export interface ClientOptions {
  /** Client-level tags, inherited by every event. */
  readonly tags?: Tags;
  readonly release?: string;
  readonly environment?: string;
  readonly serverName?: string;
  /** Default `logger` attribute of events. */
  readonly logger?: string;
  /** Breadcrumbs kept per scope (ring buffer, default 100). */
  readonly maxBreadcrumbs?: number;
  /** Envelopes waiting to be sent at most (default 100); more are dropped and counted. */
  readonly queueSize?: number;
  /** Per-request soft timeout (default 3 s). */
  readonly timeoutMs?: number;
  /** Send request cookies / bodies (both off by default). */
  readonly sendCookies?: boolean;
  readonly sendRequestBodies?: boolean;
  /** Extra processors, run after the default scrubbing. A throw drops the event (counted). */
  readonly processors?: readonly EventProcessor[];
  /** Last look at an event; `null` drops it. A throw drops it too (counted, logged in debug mode). */
  readonly beforeSend?: EventProcessor;
  /** Look at each breadcrumb; `null` (or a throw) drops it. */
  readonly beforeBreadcrumb?: BreadcrumbProcessor;
  /** Share of error and message events sent, from 0 to 1 (default 1); the rest is counted as `sample_rate`. */
  readonly sampleRate?: number;
  /** Levels of objects kept in extra, user, contexts, request and breadcrumb data (default 3). */
  readonly normalizeDepth?: number;
  /** Properties or items kept per object or array (default 1000). */
  readonly normalizeMaxBreadth?: number;
  /** Largest event sent, in bytes of JSON (default 1 MiB, what the relay accepts); bigger ones are trimmed. */
  readonly maxEventBytes?: number;
  /** Send client reports: what the SDK discarded and why (default true). */
  readonly sendClientReports?: boolean;
  /** Milliseconds between client reports (default 60 000); one is also sent by `close()`. */
  readonly clientReportFlushInterval?: number;
  /** Integrations to set up, after the default ones. */
  readonly integrations?: readonly Integration[];
  /** Set up the default integrations: an isolation scope per incoming `node:http` request (default true). */
  readonly defaultIntegrations?: boolean;
  /** Log (once each) what goes wrong inside the SDK and in callbacks given to it (default false). */
  readonly debug?: boolean;
  /** Where the client says whether it is active, and where send failures go (`sentry.errors`). */
  readonly log?: { info(message: string): void; error(message: string): void };
  /** Environment to read `SENTRY_DSN` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Report uncaught exceptions and unhandled rejections, then exit as Node would (default true;
   * set false to opt out, e.g. when the application installs its own handlers).
   */
  readonly captureUncaught?: boolean;
  /**
   * How long, in ms, an uncaught error may wait for its event to be sent before the process exits,
   * as `@sentry/node`'s `shutdownTimeout` (default 2000). The process exits as soon as it is sent.
   */
  readonly shutdownTimeout?: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: () => number;
  /** Random numbers in [0, 1), for sampling. */
  readonly random?: () => number;
}

/** A DSN that could not be used; thrown by the constructor, as the SDK guide asks for misconfiguration. */
export class InvalidDsnError extends Error {
  /** Stable machine-readable identifier: what is wrong with the DSN. */
  readonly code: DsnErrorCode;

  constructor(code: DsnErrorCode, message: string) {
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

/** Reads a property of a value that may be hostile (a Proxy, a throwing getter): undefined when it throws. */
function read(value: unknown, key: string): unknown {
  try {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `{ ...value }` that never throws; only plain objects spread, anything else gives nothing. */
function spread(value: unknown): Record<string, unknown> {
  try {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
    return { ...(value as Record<string, unknown>) };
  } catch {
    return {};
  }
}

const LEVELS: readonly string[] = ["fatal", "error", "warning", "info", "debug"];

function levelOf(value: unknown): Level | undefined {
  return typeof value === "string" && LEVELS.includes(value) ? (value as Level) : undefined;
}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

function isPlainEvent(value: unknown): value is SentryEventJson {
  try {
    return value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { then?: unknown }).then !== "function";
  } catch {
    return false;
  }
}

/** The exception interface of a thrown value and its chain of causes, read without ever throwing. */
function exceptionValues(error: unknown): Record<string, unknown>[] {
  const values: Record<string, unknown>[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5 && !seen.has(current); depth++) {
    seen.add(current);
    if (isError(current)) {
      const stack = read(current, "stack");
      values.unshift({
        type: safeString(read(current, "name") ?? "Error"),
        value: safeString(read(current, "message") ?? ""),
        stacktrace: { frames: parseStack(typeof stack === "string" ? stack : undefined) },
        mechanism: { type: "generic", handled: true },
      });
      current = read(current, "cause");
    } else {
      values.unshift({ type: "Error", value: safeString(current), mechanism: { type: "generic", handled: true, synthetic: true } });
      current = undefined;
    }
  }
  return values;
}

/** A fingerprint as Sentry takes it, a list of strings; undefined for anything else. */
function fingerprintOf(value: unknown): string[] | undefined {
  try {
    if (!Array.isArray(value)) return undefined;
    return (value as unknown[]).slice(0, 100).map((part) => safeString(part).slice(0, 1024));
  } catch {
    return undefined;
  }
}

function validRate(rate: unknown): number | undefined {
  return typeof rate === "number" && rate >= 0 && rate <= 1 ? rate : undefined;
}

/**
 * A Sentry client: `new SentryClient(dsn, options)`. An empty DSN (and no `SENTRY_DSN`) disables
 * it; a malformed DSN throws at once with the reason. After that, nothing it does throws into the
 * application: capture calls, scope setters and callbacks given to it are contained.
 */
export class SentryClient {
  /** Whether events are sent. */
  readonly enabled: boolean;
  /** The parsed DSN, when enabled. */
  readonly dsn: Dsn | undefined;
  /** The id of the last event captured. */
  lastEventId: string | undefined;

  private readonly options: ClientOptions;
  private readonly scopes: ScopeStack;
  private readonly transport: HttpTransport | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: { info(message: string): void; error(message: string): void };
  private readonly discards = new DiscardCounter();
  private readonly processors: EventProcessor[];
  private readonly warned = new Set<string>();
  private readonly uninstalls: Uninstall[] = [];
  private readonly sampleRate: number;
  private modules: Record<string, string> | undefined;
  private reportTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(dsn: string | undefined, options: ClientOptions = {}) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.scopes = new ScopeStack(options.maxBreadcrumbs ?? 100);
    this.processors = [...(options.processors ?? [])];
    const log = options.log ?? { info: (m: string) => { console.info(m); }, error: (m: string) => { console.error(m); } };
    this.log = {
      info: (message) => { try { log.info(message); } catch { /* a logger that throws is not the application's problem */ } },
      error: (message) => { try { log.error(message); } catch { /* as above */ } },
    };
    this.sampleRate = validRate(options.sampleRate) ?? 1;
    if (options.sampleRate !== undefined && validRate(options.sampleRate) === undefined) {
      this.warnOnce("sampleRate", `sampleRate must be a number from 0 to 1, not ${safeString(options.sampleRate)}; sending every event`);
    }
    const text = isDisabledDsn(dsn) ? (options.env ?? process.env).SENTRY_DSN : dsn;
    if (isDisabledDsn(text)) {
      this.enabled = false;
      this.log.info("sentry: client disabled (no DSN configured)");
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
        this.log.error(`sentry.errors: ${message}`);
      },
      onDiscard: (reason, category) => {
        this.discards.record(reason, category);
      },
    });
    this.log.info(`sentry: client active, sending to ${dsnEndpointUrl(parsed.value, "envelope")}`);
    if (options.captureUncaught !== false) this.uninstalls.push(installGlobalHandlers(this, options.shutdownTimeout ?? 2000));
    const integrations = [...(options.defaultIntegrations === false ? [] : [httpIntegration()]), ...(options.integrations ?? [])];
    for (const integration of integrations) this.setupIntegration(integration);
    if (options.sendClientReports !== false) {
      this.reportTimer = setInterval(() => {
        this.sendClientReport();
      }, options.clientReportFlushInterval ?? 60_000);
      this.reportTimer.unref();
    }
  }

  /** What the transport did so far (undefined when disabled). */
  get stats(): TransportStats | undefined {
    return this.transport?.stats;
  }

  /** What was discarded since the last client report, by reason and category. */
  get discarded(): DiscardedEvents[] {
    return this.discards.peek();
  }

  /** Context helpers for the current scope. */
  readonly context = {
    /** Merges tags, user, request and extra into the current scope. */
    merge: (data: { tags?: Tags; user?: UserContext; request?: HttpContext; extra?: Record<string, unknown> }): void => {
      this.guard("context.merge", () => {
        const scope = this.scopes.pair().current;
        scope.setTags(read(data, "tags"));
        const user = read(data, "user");
        if (user) scope.mergeUser(user as UserContext);
        const request = read(data, "request");
        if (request) scope.mergeRequest(request as HttpContext);
        const extra = read(data, "extra");
        if (extra) scope.setExtras(extra as Record<string, unknown>);
      });
    },
    /** Forgets everything in the current scope. */
    clear: (): void => {
      this.scopes.pair().current.clear();
    },
    /** A copy of the current scope, made safe for JSON. */
    get: (): ScopeData => {
      const scope = this.scopes.pair().current;
      const data: ScopeData = { tags: scope.tags, user: scope.user, request: scope.request, extra: scope.extra, contexts: scope.contexts, breadcrumbs: scope.breadcrumbs, level: scope.level, fingerprint: scope.fingerprint };
      return normalize(data, { depth: (this.options.normalizeDepth ?? DEFAULT_NORMALIZE_DEPTH) + 2 }) as ScopeData;
    },
  };

  /** Sets the user of the current scope (merging). */
  userContext(user: UserContext): void {
    this.context.merge({ user });
  }

  /** Adds tags to the current scope. */
  tagsContext(tags: Tags): void {
    this.context.merge({ tags });
  }

  /** Sets the HTTP request of the current scope (merging). */
  httpContext(request: HttpContext): void {
    this.context.merge({ request });
  }

  /** Adds extra data to the current scope. */
  extraContext(extra: Record<string, unknown>): void {
    this.context.merge({ extra });
  }

  /** The innermost scope of the current async context (`withScope` blocks). */
  getCurrentScope(): Scope {
    return this.scopes.pair().current;
  }

  /** The isolation scope of the current async context (one per request with the HTTP integration). */
  getIsolationScope(): Scope {
    return this.scopes.pair().isolation;
  }

  /** Sets a tag on the isolation scope. */
  setTag(key: string, value: unknown): void {
    this.guard("setTag", () => this.getIsolationScope().setTag(key, value));
  }

  /** Sets tags on the isolation scope. */
  setTags(tags: Tags): void {
    this.guard("setTags", () => this.getIsolationScope().setTags(tags));
  }

  /** Sets the user on the isolation scope (`null` forgets it). */
  setUser(user: UserContext | null): void {
    this.guard("setUser", () => this.getIsolationScope().setUser(user));
  }

  /** Sets an extra value on the isolation scope. */
  setExtra(key: string, value: unknown): void {
    this.guard("setExtra", () => this.getIsolationScope().setExtra(key, value));
  }

  /** Sets extra values on the isolation scope. */
  setExtras(extras: Record<string, unknown>): void {
    this.guard("setExtras", () => this.getIsolationScope().setExtras(extras));
  }

  /** Sets a named context on the isolation scope (`null` removes it). */
  setContext(name: string, context: Record<string, unknown> | null): void {
    this.guard("setContext", () => this.getIsolationScope().setContext(name, context));
  }

  /** Adds a processor run on every event after the ones given as options. */
  addEventProcessor(processor: EventProcessor): void {
    this.processors.push(processor);
  }

  /** Runs `fn` with a fork of the current scope, given to it; the isolation scope stays shared. */
  withScope<T>(fn: (scope: Scope) => T): T {
    return this.scopes.withScope(fn);
  }

  /** Runs `fn` with forks of both scopes: what it sets, and its breadcrumbs, stay inside. */
  withIsolationScope<T>(fn: (scope: Scope) => T): T {
    return this.scopes.withIsolationScope(fn);
  }

  /** Runs `fn` in its own isolation scope: context set inside stays inside (one per request). */
  runWithContext<T>(fn: () => T): T {
    return this.scopes.withIsolationScope(() => fn());
  }

  /** Records a breadcrumb in the isolation scope, after `beforeBreadcrumb`. */
  addBreadcrumb(breadcrumb: Breadcrumb): void {
    this.guard("addBreadcrumb", () => {
      const timestamp = read(breadcrumb, "timestamp");
      let crumb: Breadcrumb | null = { ...spread(breadcrumb), timestamp: typeof timestamp === "number" && Number.isFinite(timestamp) ? timestamp : this.now() / 1000 };
      const hook = this.options.beforeBreadcrumb;
      if (hook) {
        try {
          crumb = hook(crumb);
        } catch (error) {
          this.warnOnce("beforeBreadcrumb", `beforeBreadcrumb threw, the breadcrumb was dropped: ${describeThrown(error)}`);
          return;
        }
      }
      if (isPlainEvent(crumb)) this.getIsolationScope().addBreadcrumb(crumb);
    });
  }

  /** Captures a message; returns the event id. */
  captureMessage(message: string, options: CaptureOptions = {}): string {
    return this.capture(() => {
      const text = safeString(message);
      return { message: text, logentry: { formatted: text }, level: "info" };
    }, options);
  }

  /** Captures an error (or anything thrown); returns the event id. */
  captureException(error: unknown, options: CaptureOptions = {}): string {
    return this.capture(() => ({ exception: { values: exceptionValues(error) }, level: "error" }), options);
  }

  /**
   * Runs `fn` (sync or async) in its own scope with `options`' tags and extra; an error it throws
   * is captured and thrown again.
   */
  captureExceptions<T>(options: CaptureOptions, fn: () => T): T {
    return this.scopes.withScope((scope) => {
      this.guard("captureExceptions", () => {
        scope.setTags(read(options, "tags"));
        const extra = read(options, "extra");
        if (extra) scope.setExtras(extra as Record<string, unknown>);
        const user = read(options, "user");
        if (user) scope.mergeUser(user as UserContext);
      });
      const level = levelOf(read(options, "level"));
      try {
        const result = fn();
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            this.captureException(error, { level });
            throw error;
          }) as T;
        }
        return result;
      } catch (error) {
        this.captureException(error, { level });
        throw error;
      }
    });
  }

  /** Waits until queued events are sent (or `timeoutMs`); true when the queue is empty. */
  flush(timeoutMs = 2000): Promise<boolean> {
    return this.transport?.flush(timeoutMs) ?? Promise.resolve(true);
  }

  /** Sends a last client report, flushes (at most `timeoutMs`) and stops sending. */
  async close(timeoutMs = 2000): Promise<boolean> {
    for (const uninstall of this.uninstalls.splice(0)) {
      try {
        uninstall();
      } catch (error) {
        this.warnOnce("uninstall", `an integration failed to uninstall: ${describeThrown(error)}`);
      }
    }
    clearInterval(this.reportTimer);
    this.reportTimer = undefined;
    if (!this.transport || this.closed) return true;
    this.sendClientReport();
    this.closed = true;
    return this.transport.close(timeoutMs);
  }

  /** Sends what was discarded since the last report, if anything was. */
  private sendClientReport(): void {
    if (!this.transport || this.closed || this.options.sendClientReports === false) return;
    this.guard("client report", () => {
      const report = this.discards.take(this.now());
      if (!report) return;
      const payload = new TextEncoder().encode(JSON.stringify(report));
      this.transport?.enqueue({ id: "client report", type: "client_report", category: "internal", payload });
    });
  }

  private setupIntegration(integration: Integration): void {
    try {
      const uninstall = integration.setup(this);
      if (typeof uninstall === "function") this.uninstalls.push(uninstall);
    } catch (error) {
      this.warnOnce(`integration:${safeString(read(integration, "name"))}`, `integration ${safeString(read(integration, "name"))} failed to set up and is skipped: ${describeThrown(error)}`);
    }
  }

  /** Logs `message` once per `key`, in debug mode only. */
  private warnOnce(key: string, message: string): void {
    if (!this.options.debug || this.warned.has(key)) return;
    this.warned.add(key);
    this.log.error(`sentry: ${message}`);
  }

  /** Runs SDK work that must never throw into the application. */
  private guard(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      this.warnOnce(`internal:${what}`, `${what} failed inside the SDK: ${describeThrown(error)}`);
    }
  }

  private drop(reason: DiscardReason, category: DiscardCategory = "error"): void {
    this.discards.record(reason, category);
  }

  private capture(base: () => Record<string, unknown>, options: CaptureOptions): string {
    const eventId = newEventId();
    this.lastEventId = eventId;
    if (!this.transport || this.closed) return eventId;
    try {
      if (this.sampleRate < 1 && !(this.random() < this.sampleRate)) {
        this.drop("sample_rate");
        return eventId;
      }
      const event = this.process(this.prepare(eventId, base(), options));
      if (!event) return eventId;
      const fitted = fitEvent(event, this.options.maxEventBytes ?? MAX_EVENT_BYTES);
      if (!fitted) {
        this.warnOnce("too large", `event ${eventId} is larger than ${this.options.maxEventBytes ?? MAX_EVENT_BYTES} bytes even when trimmed, and was dropped`);
        this.drop("internal_sdk_error");
        return eventId;
      }
      this.transport.enqueue({ id: eventId, type: "event", category: "error", payload: fitted.payload });
    } catch (error) {
      this.warnOnce("capture", `capturing event ${eventId} failed inside the SDK: ${describeThrown(error)}`);
      this.drop("internal_sdk_error");
    }
    return eventId;
  }

  /** The event with everything the scopes and the capture call add, normalized. */
  private prepare(eventId: string, base: Record<string, unknown>, options: CaptureOptions): SentryEventJson {
    const { isolation, current } = this.scopes.pair();
    const depth = this.options.normalizeDepth ?? DEFAULT_NORMALIZE_DEPTH;
    const maxBytes = this.options.maxEventBytes ?? MAX_EVENT_BYTES;
    // Each part may hold at most the whole event's worth of text (the breadcrumbs share one
    // budget), so that huge values cost little before the size cap; fitEvent does the rest.
    const limits = { depth, maxBreadth: this.options.normalizeMaxBreadth ?? DEFAULT_NORMALIZE_MAX_BREADTH, maxChars: maxBytes, maxStringLength: maxBytes };
    const crumbLimits = { ...limits, depth: depth + 1, maxChars: { remaining: maxBytes } };
    this.modules ??= loadModules();
    const user = { ...spread(isolation.user), ...spread(current.user), ...spread(read(options, "user")) };
    const request = current.request ?? isolation.request;
    const contexts = { ...isolation.contexts, ...current.contexts };
    const max = this.options.maxBreadcrumbs ?? 100;
    // Newest first, so that the budget is spent on the breadcrumbs nearest the event.
    const breadcrumbs = [...isolation.breadcrumbs, ...current.breadcrumbs].slice(-max).reverse().map((crumb) => normalize(crumb, crumbLimits)).reverse();
    const logger = read(options, "logger");
    const fingerprint = fingerprintOf(read(options, "fingerprint")) ?? current.fingerprint ?? isolation.fingerprint;
    const event: SentryEventJson = {
      // The capture's own content (message or exception) first, then what the scopes add.
      ...base,
      event_id: eventId,
      timestamp: this.now() / 1000,
      platform: "node",
      logger: typeof logger === "string" ? logger : (this.options.logger ?? "root"),
      server_name: this.options.serverName ?? hostname(),
      release: this.options.release,
      environment: this.options.environment,
      sdk: { name: SDK_NAME, version: SDK_VERSION },
      modules: this.modules,
      tags: [...tagPairs(this.options.tags), ...isolation.tags, ...current.tags, ...tagPairs(read(options, "tags"))],
      // normalize keeps each value's shape (it only cuts depth, breadth and length).
      extra: normalize({ ...isolation.extra, ...current.extra, ...spread(read(options, "extra")) }, limits) as SentryEvent["extra"],
      user: Object.keys(user).length > 0 ? (normalize(user, limits) as SentryEvent["user"]) : undefined,
      request: request === undefined ? undefined : (normalize(request, limits) as SentryEvent["request"]),
      contexts: Object.keys(contexts).length > 0 ? (normalize(contexts, limits) as SentryEvent["contexts"]) : undefined,
      breadcrumbs: { values: breadcrumbs as EventBreadcrumb[] },
      fingerprint: fingerprintOf(fingerprint),
      level: levelOf(read(options, "level")) ?? levelOf(current.level) ?? levelOf(isolation.level) ?? levelOf(base.level) ?? "error",
    };
    return event;
  }

  /** Scrubbing, processors and `beforeSend`, each contained; undefined when the event is dropped. */
  private process(prepared: SentryEventJson): SentryEventJson | undefined {
    let event = scrubEvent(prepared, this.options);
    for (const [index, processor] of this.processors.entries()) {
      let result: unknown;
      try {
        result = processor(event);
      } catch (error) {
        this.warnOnce(`processor:${index}`, `event processor ${index} threw, the event was dropped: ${describeThrown(error)}`);
        this.drop("event_processor");
        return undefined;
      }
      if (!isPlainEvent(result)) {
        if (result !== null) this.warnOnce(`processor result:${index}`, `event processor ${index} must return an event or null; the event was dropped`);
        this.drop("event_processor");
        return undefined;
      }
      event = result;
    }
    const beforeSend = this.options.beforeSend;
    if (beforeSend) {
      let result: unknown;
      try {
        result = beforeSend(event);
      } catch (error) {
        this.warnOnce("beforeSend", `beforeSend threw, the event was dropped: ${describeThrown(error)}`);
        this.drop("before_send");
        return undefined;
      }
      if (!isPlainEvent(result)) {
        if (result !== null) this.warnOnce("beforeSend result", "beforeSend must return an event or null; the event was dropped");
        this.drop("before_send");
        return undefined;
      }
      event = result;
    }
    // Callbacks may have put anything back in: make it safe for JSON once more, deep.
    return normalize(event, { depth: 64, maxBreadth: Number.POSITIVE_INFINITY, maxStringLength: this.options.maxEventBytes ?? MAX_EVENT_BYTES }) as SentryEventJson;
  }
}
