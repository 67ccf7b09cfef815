import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { buildAuthHeader } from "@org/protocol/auth";
import { dsnEndpointUrl, type Dsn } from "@org/protocol/dsn";
import { serializeEnvelope } from "@org/protocol/envelope";
import { limitedUntil, limitsFromResponse, type ActiveLimit } from "@org/protocol/rate-limits";

const gzipAsync = promisify(gzip);

/** Receives the transport's failures (the `sentry.errors` logger). */
export type ErrorLogger = (message: string) => void;

/** Options of {@link HttpTransport}. */
export interface TransportOptions {
  readonly dsn: Dsn;
  /** `name/version` of this SDK: `sentry_client` and the User-Agent. */
  readonly client: string;
  /** Events waiting at most; more are dropped and counted. */
  readonly queueSize?: number;
  /** Per-request soft timeout. */
  readonly timeoutMs?: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: () => number;
  readonly logError: ErrorLogger;
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

interface Item {
  readonly eventId: string;
  readonly event: Record<string, unknown>;
  attempts: number;
}

/** Attempts per event before it is given up. */
const MAX_ATTEMPTS = 3;

/**
 * Sends events in the background: a bounded queue, one request at a time, gzip bodies, the
 * `X-Sentry-Auth` header. After failures it waits as the SDK guide's `should_try` does
 * (`min(n, 6)²` seconds after the n-th consecutive failure) and honours `Retry-After` and
 * `X-Sentry-Rate-Limits`.
 */
export class HttpTransport {
  readonly stats: TransportStats = { sent: 0, failed: 0, droppedQueueFull: 0, droppedRateLimited: 0 };
  private readonly options: TransportOptions;
  private readonly queue: Item[] = [];
  private readonly url: string;
  private readonly now: () => number;
  private limits: ActiveLimit[] = [];
  private failures = 0;
  private lastFailure = 0;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: TransportOptions) {
    this.options = options;
    this.url = dsnEndpointUrl(options.dsn, "envelope");
    this.now = options.now ?? Date.now;
  }

  /** Queues an event; returns false when it was dropped (queue full, rate limited, closed). */
  enqueue(eventId: string, event: Record<string, unknown>): boolean {
    if (this.closed) return false;
    if (limitedUntil(this.limits, "error", this.now()) !== undefined) {
      this.stats.droppedRateLimited += 1;
      return false;
    }
    if (this.queue.length >= (this.options.queueSize ?? 100)) {
      this.stats.droppedQueueFull += 1;
      this.options.logError(`event ${eventId} dropped: the send queue is full`);
      return false;
    }
    this.queue.push({ eventId, event, attempts: 0 });
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
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    while (this.queue.length > 0 || this.running) {
      if (this.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - this.now()))));
    }
    return true;
  }

  /** Flushes, then refuses further events. */
  async close(timeoutMs: number): Promise<boolean> {
    const flushed = await this.flush(timeoutMs);
    this.closed = true;
    clearTimeout(this.retryTimer);
    return flushed;
  }

  private kick(): void {
    if (this.running || this.queue.length === 0) return;
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
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.retryDelayMs() === 0) {
      const item = this.queue[0]!;
      const outcome = await this.send(item);
      if (outcome === "retry" && item.attempts < MAX_ATTEMPTS) return;
      this.queue.shift();
      if (outcome === "retry") this.options.logError(`event ${item.eventId} dropped after ${item.attempts} failed attempts`);
    }
  }

  private async send(item: Item): Promise<"done" | "retry"> {
    item.attempts += 1;
    const payload = new TextEncoder().encode(JSON.stringify(item.event));
    const envelope = serializeEnvelope({
      headers: { event_id: item.eventId, sent_at: new Date(this.now()).toISOString() },
      items: [{ headers: { type: "event", length: payload.length }, payload }],
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
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
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
        this.options.logError(`event ${item.eventId} rate limited by the server${detail ? `: ${detail}` : ""}`);
        return "done";
      }
      if (response.status >= 500) return this.fail(`server answered ${response.status}${detail ? `: ${detail}` : ""}`, item);
      this.stats.failed += 1;
      this.options.logError(`event ${item.eventId} refused with ${response.status}${detail ? `: ${detail}` : ""}`);
      return "done";
    } catch (error) {
      const reason = (error as Error).name === "TimeoutError" ? "timeout" : (error as Error).message;
      this.stats.lastResult = reason;
      return this.fail(`could not reach ${this.url}: ${reason}`, item);
    }
  }

  private fail(reason: string, item: Item): "retry" {
    this.failures += 1;
    this.lastFailure = this.now();
    this.stats.failed += 1;
    this.options.logError(`sending event ${item.eventId} failed (${reason}); next try in ${Math.min(this.failures, 6) ** 2} s`);
    return "retry";
  }
}
