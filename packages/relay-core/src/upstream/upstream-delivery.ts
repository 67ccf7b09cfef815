import { buildRelayAuthHeader } from "@org/protocol/auth";
import { itemCategory, withSentAt } from "@org/protocol/envelope";
import { limitsFromResponse } from "@org/protocol/rate-limits";
import type { Logger } from "pino";
import { NO_METRICS, type RelayMetrics } from "../metrics.js";
import type { Delivery, DeliveryResult, ReadyEnvelope } from "../pipeline/pipeline.js";
import type { RateLimitCache } from "./rate-limit-cache.js";
import type { RelayRegistration } from "./registration.js";
import { registrationBackoff } from "./registration.js";
import { createRequestSigner } from "./envelope-signature.js";
import { envelopeEncoder, type UpstreamEncoding } from "./envelope-encoding.js";
import { detailOf, headerValue, UpstreamNetworkError, type RelayCredentials, type UpstreamClient, type UpstreamResponse } from "./upstream-client.js";

/** Options of {@link upstreamDelivery}. */
export interface UpstreamDeliveryOptions {
  readonly client: UpstreamClient;
  readonly logger: Logger;
  readonly rateLimits: RateLimitCache;
  /** Managed mode: nothing is sent before the relay is registered. */
  readonly registration?: RelayRegistration | undefined;
  readonly metrics?: RelayMetrics | undefined;
  /** Longest pause between two polls of the upstream's live endpoint during an outage. */
  readonly maxRetryIntervalMs: number;
  readonly now?: (() => number) | undefined;
  /** Managed mode: envelopes are signed so that an upstream relay can trust them (`auth.static_relays`). */
  readonly credentials?: RelayCredentials | undefined;
  /** How envelopes are encoded on the way (`auto`: not compressed to a loopback upstream, gzip otherwise). */
  readonly encoding?: UpstreamEncoding | undefined;
  /** gzip level (1-9). */
  readonly compressionLevel?: number | undefined;
}

/** Delivery to the upstream, with outage detection. */
export interface UpstreamDelivery extends Delivery {
  /** Whether the upstream is considered down. */
  readonly inOutage: boolean;
  /** Stops polling. */
  close(): void;
}

const OUTAGE_STATUSES = new Set([502, 503, 504]);

/**
 * Sends processed envelopes to `POST {upstream}/api/{project}/envelope/`, gzip-encoded unless
 * configured otherwise (see {@link UpstreamEncoding}), with the
 * client's key rebuilt into `X-Sentry-Auth` and the client's address, user agent and origin. A
 * network error or a 502/503/504 is an outage: the envelope stays in the spool, the live endpoint
 * is polled, and delivery resumes when it answers. Rate limits in answers are remembered.
 */
export function upstreamDelivery(options: UpstreamDeliveryOptions): UpstreamDelivery {
  const { client, logger, rateLimits, registration } = options;
  const metrics = options.metrics ?? NO_METRICS;
  const now = options.now ?? Date.now;
  const signEnvelope = options.credentials ? createRequestSigner(options.credentials.secretKey) : undefined;
  const encode = envelopeEncoder(client.origin, { encoding: options.encoding, level: options.compressionLevel });
  let outage: { readonly promise: Promise<void>; readonly since: number } | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function enterOutage(reason: string): void {
    if (outage || closed) return;
    let resolve!: () => void;
    const promise = new Promise<void>((res) => (resolve = res));
    outage = { promise, since: now() };
    logger.warn({ upstream: client.origin, reason }, "the upstream is unavailable; keeping envelopes in the spool and polling /api/0/relays/live/");
    metrics.increment("upstream.outage");
    let attempt = 1;
    const poll = async (): Promise<void> => {
      if (closed) return;
      let up: boolean;
      try {
        const response = await client.send({ method: "GET", path: "/api/0/relays/live/", maxBodyBytes: 64 * 1024 });
        up = response.status >= 200 && response.status < 300;
      } catch {
        up = false;
      }
      if (up) {
        const seconds = Math.round((now() - (outage?.since ?? now())) / 1000);
        logger.info({ upstream: client.origin, downSeconds: seconds }, "the upstream is back; delivering the spool");
        outage = undefined;
        resolve();
        return;
      }
      pollTimer = setTimeout(() => void poll(), Math.max(200, registrationBackoff(attempt++, options.maxRetryIntervalMs)));
      pollTimer.unref();
    };
    pollTimer = setTimeout(() => void poll(), 200);
    pollTimer.unref();
  }

  return {
    get inOutage() {
      return outage !== undefined;
    },
    available() {
      if (registration && !registration.isRegistered()) return registration.whenRegistered();
      return outage?.promise;
    },
    async deliver(ready: ReadyEnvelope): Promise<DeliveryResult> {
      const { source } = ready;
      const { context } = source;
      const categories = ready.itemTypes.map(itemCategory);
      if (rateLimits.check(source.projectId, context.publicKey, categories)) {
        return { status: "rejected", reason: "rate_limited", outcome: "rate_limited" };
      }
      if (outage) return { status: "retry", delayMs: 0, reason: "the upstream is unavailable" };
      const payload = withSentAt(ready.payload, now());
      const { body, contentEncoding } = await encode(payload);
      const headers: Record<string, string> = {
        "content-type": "application/x-sentry-envelope",
        "x-sentry-auth": buildRelayAuthHeader({ key: context.publicKey, client: context.client }),
      };
      if (contentEncoding) headers["content-encoding"] = contentEncoding;
      // Envelopes spooled before the chain was kept have only the client's address.
      const chain = context.forwardedFor ?? context.clientIp;
      if (chain) headers["x-forwarded-for"] = chain;
      if (context.userAgent) headers["user-agent"] = context.userAgent;
      if (context.origin) headers.origin = context.origin;
      if (options.credentials && signEnvelope) {
        // The signature covers the envelope as the upstream reads it, after decompression.
        headers["x-sentry-relay-id"] = options.credentials.relayId;
        headers["x-sentry-relay-signature"] = signEnvelope(payload);
      }
      const started = now();
      let response: UpstreamResponse;
      try {
        response = await client.send({ method: "POST", path: `/api/${source.projectId}/envelope/`, headers, body, maxBodyBytes: 1024 * 1024 });
      } catch (error) {
        const reason = error instanceof UpstreamNetworkError ? error.message : (error as Error).message;
        metrics.increment("upstream.envelopes", 1, { status: "network_error" });
        enterOutage(reason);
        return { status: "retry", delayMs: 0, reason };
      }
      const status = response.status;
      metrics.timing("upstream.duration", now() - started, { status: String(status) });
      metrics.increment("upstream.envelopes", 1, { status: String(status) });
      const limits = limitsFromResponse(
        status,
        { rateLimits: headerValue(response.headers, "x-sentry-rate-limits"), retryAfter: headerValue(response.headers, "retry-after") },
        now(),
      );
      if (limits.length > 0) rateLimits.record(source.projectId, context.publicKey, limits);
      if (status >= 200 && status < 300) return { status: "delivered" };
      if (status === 429) return { status: "rejected", reason: "rate_limited", outcome: "rate_limited" };
      if (OUTAGE_STATUSES.has(status)) {
        enterOutage(`the upstream answered ${status}`);
        return { status: "retry", delayMs: 0, reason: `upstream answered ${status}` };
      }
      return { status: "rejected", reason: `upstream answered ${status}: ${detailOf(response)}` };
    },
    close() {
      closed = true;
      clearTimeout(pollTimer);
    },
  };
}
