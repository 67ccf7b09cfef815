import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { buildAuthHeader } from "@org/protocol/auth";
import { dsnEndpointUrl, type Dsn } from "@org/protocol/dsn";
import { serializeEnvelope } from "@org/protocol/envelope";
import { limitedUntil, limitsFromResponse, type ActiveLimit } from "@org/protocol/rate-limits";
import type { DiscardCategory, DiscardReason } from "./client-reports.js";
import { describeThrown } from "./normalize.js";

const gzipAsync = promisify(gzip);

/** Receives the transport's failures (the `sentry.errors` logger). */
export type ErrorLogger = (message: string) => void;

/** Options of {@link HttpTransport}. */
export interface TransportOptions {
  readonly dsn: Dsn;
  /** `name/version` of this SDK: `sentry_client` and the User-Agent. */
  readonly client: string;
  /** Envelopes waiting at most; more are dropped and counted (default 100). */
  readonly queueSize?: number;
  /** Per-request soft timeout (default 3 s). */
  readonly timeoutMs?: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: () => number;
  readonly logError: ErrorLogger;
  /** Told about every envelope the transport gives up, for client reports. */
  readonly onDiscard?: (reason: DiscardReason, category: DiscardCategory) => void;
}

/** What the transport did so far. */
export interface TransportStats {
  sent: number;
  failed: number;
  droppedQueueFull: number;
  droppedRateLimited: number;
  /** Status of the last answer, or the error of the last attempt. */
  lastResult?: number | string;
}

/** An envelope to send: one item of `type` with a JSON payload. */
export interface OutgoingItem {
  /** The event id for events; a label for logs otherwise. */
  readonly id: string;
  readonly type: "event" | "client_report";
  readonly category: DiscardCategory;
  readonly payload: Uint8Array;
}

interface Queued extends OutgoingItem {
  attempts: number;
}

/** Attempts per envelope before it is given up. */
const MAX_ATTEMPTS = 3;

/**
 * Sends envelopes in the background: a bounded queue (the newest is dropped when full), one
 * request at a time, gzip bodies, the `X-Sentry-Auth` header. After failures it waits as the SDK
 * guide's `should_try` does (`min(n, 6)²` seconds after the n-th consecutive failure) and honours
 * `Retry-After` and `X-Sentry-Rate-Limits`. Nothing it does rejects or throws into the caller.
 */
export class HttpTransport {
  readonly stats: TransportStats = { sent: 0, failed: 0, droppedQueueFull: 0, droppedRateLimited: 0 };
  private readonly options: TransportOptions;
  private readonly queue: Queued[] = [];
  private readonly url: string;
  private readonly now: () => number;
  private readonly aborter = new AbortController();
  private limits: ActiveLimit[] = [];
  private failures = 0;
  private lastFailure = 0;
  private running = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: TransportOptions) {
    this.options = options;
    this.url = dsnEndpointUrl(options.dsn, "envelope");
    this.now = options.now ?? Date.now;
  }

  /** Queues an envelope; returns false when it was dropped (queue full, rate limited, closed). */
  enqueue(item: OutgoingItem): boolean {
    if (this.closed) return false;
    if (limitedUntil(this.limits, item.category, this.now()) !== undefined) {
      this.stats.droppedRateLimited += 1;
      this.discard("ratelimit_backoff", item);
      return false;
    }
    if (this.queue.length >= (this.options.queueSize ?? 100)) {
      this.stats.droppedQueueFull += 1;
      this.log(`${item.type} ${item.id} dropped: the send queue is full`);
      this.discard("queue_overflow", item);
      return false;
    }
    this.queue.push({ ...item, attempts: 0 });
    this.kick();
    return true;
  }

  /** How long until the next attempt is allowed (0 when now). */
  retryDelayMs(): number {
    if (this.failures === 0) return 0;
    const interval = Math.min(this.failures, 6) ** 2 * 1000;
    return Math.max(0, this.lastFailure + interval - this.now());
  }

  /** Waits until the queue is empty or `timeoutMs` passed; true when everything was handled. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.idle()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((other) => other !== waiter);
        resolve(false);
      }, Math.max(0, timeoutMs));
      this.idleWaiters.push(waiter);
    });
  }

  /** Flushes, then refuses further envelopes and abandons a request still waiting for an answer. */
  async close(timeoutMs: number): Promise<boolean> {
    const flushed = await this.flush(timeoutMs);
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.queue.length = 0;
    this.aborter.abort();
    this.notifyIdle();
    return flushed;
  }

  private isClosed(): boolean {
    return this.closed;
  }

  private idle(): boolean {
    return this.queue.length === 0 && !this.running;
  }

  private notifyIdle(): void {
    if (!this.idle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private log(message: string): void {
    try {
      this.options.logError(message);
    } catch {
      // A logger that throws must not stop the transport.
    }
  }

  private discard(reason: DiscardReason, item: OutgoingItem): void {
    // What is lost of client reports themselves is not reported (Sentry does not either).
    if (item.type === "client_report") return;
    try {
      this.options.onDiscard?.(reason, item.category);
    } catch {
      // Counting is best effort.
    }
  }

  private kick(): void {
    if (this.running || this.closed || this.queue.length === 0) return;
    const delay = this.retryDelayMs();
    if (delay > 0) {
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, delay);
        this.retryTimer.unref();
      }
      return;
    }
    this.running = true;
    void this.drain()
      .catch((error: unknown) => {
        this.log(`the transport stopped on an unexpected error: ${describeThrown(error)}`);
      })
      .finally(() => {
        this.running = false;
        this.kick();
        this.notifyIdle();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.retryDelayMs() === 0 && !this.closed) {
      const item = this.queue[0]!;
      const outcome = await this.send(item);
      // close() may have run while the request was out; the queue was emptied then.
      if (this.isClosed()) return;
      if (outcome === "retry" && item.attempts < MAX_ATTEMPTS) return;
      this.queue.shift();
      if (outcome === "retry") {
        this.log(`${item.type} ${item.id} dropped after ${item.attempts} failed attempts`);
        this.discard(typeof this.stats.lastResult === "number" ? "send_error" : "network_error", item);
      }
    }
  }

  private async send(item: Queued): Promise<"done" | "retry"> {
    item.attempts += 1;
    const envelope = serializeEnvelope({
      headers: item.type === "event" ? { event_id: item.id, sent_at: new Date(this.now()).toISOString() } : { sent_at: new Date(this.now()).toISOString() },
      items: [{ headers: { type: item.type, length: item.payload.length }, payload: item.payload }],
    });
    try {
      const body = await gzipAsync(envelope);
      const response = await fetch(this.url, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/x-sentry-envelope",
          "content-encoding": "gzip",
          "user-agent": this.options.client,
          "x-sentry-auth": buildAuthHeader({ key: this.options.dsn.publicKey, client: this.options.client, timestamp: Math.floor(this.now() / 1000) }),
        },
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? 3000), this.aborter.signal]),
      });
      await response.arrayBuffer().catch(() => undefined);
      this.stats.lastResult = response.status;
      const limits = limitsFromResponse(
        response.status,
        { rateLimits: response.headers.get("x-sentry-rate-limits") ?? undefined, retryAfter: response.headers.get("retry-after") ?? undefined },
        this.now(),
      );
      if (limits.length > 0) this.limits = [...this.limits.filter((limit) => limit.until > this.now()), ...limits];
      if (response.ok) {
        this.failures = 0;
        this.stats.sent += 1;
        return "done";
      }
      const detail = response.headers.get("x-sentry-error") ?? "";
      if (response.status === 429) {
        this.stats.droppedRateLimited += 1;
        this.log(`${item.type} ${item.id} rate limited by the server${detail ? `: ${detail}` : ""}`);
        return "done";
      }
      if (response.status >= 500) return this.fail(`server answered ${response.status}${detail ? `: ${detail}` : ""}`, item);
      this.stats.failed += 1;
      this.log(`${item.type} ${item.id} refused with ${response.status}${detail ? `: ${detail}` : ""}`);
      return "done";
    } catch (error) {
      // A request abandoned by close() is neither a failure of the server nor worth a log line.
      if (this.isClosed()) return "done";
      const name = error instanceof Error ? error.name : "";
      const reason = name === "TimeoutError" ? "timeout" : error instanceof Error ? error.message : describeThrown(error);
      this.stats.lastResult = reason;
      return this.fail(`could not reach ${this.url}: ${reason}`, item);
    }
  }

  private fail(reason: string, item: Queued): "retry" {
    this.failures += 1;
    this.lastFailure = this.now();
    this.stats.failed += 1;
    this.log(`sending ${item.type} ${item.id} failed (${reason}); next try in ${Math.min(this.failures, 6) ** 2} s`);
    return "retry";
  }
}
