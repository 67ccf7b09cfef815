import type { UserAgentClientHints } from "@org/protocol/security";

/** What the relay knows about the request an envelope arrived with, kept beside it in the spool. */
export interface IngestContext {
  /** Public key of the project key the client authenticated with. */
  readonly publicKey: string;
  /** `sentry_client` of the request's auth, or the User-Agent when absent. */
  readonly client?: string | undefined;
  /** The client's address as the relay saw it (after trusted proxies). */
  readonly clientIp?: string | undefined;
  /** The `X-Forwarded-For` chain to send upstream: the one the client sent, then its address. */
  readonly forwardedFor?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly origin?: string | undefined;
  /** The request's `Referer`, kept for security reports (their origin when `Origin` is no URL). */
  readonly referer?: string | undefined;
  /** The request's user-agent client hints, kept for security reports (normalization adds them as headers). */
  readonly clientHints?: UserAgentClientHints | undefined;
  /** The protocol version of the request's authentication (`sentry_version`, 7 when absent). */
  readonly version?: number | undefined;
}

/** An accepted envelope waiting to be processed and delivered. */
export interface SpooledEnvelope {
  /** Unique in the spool: the envelope's event id, or a fresh id for envelopes without one. */
  readonly id: string;
  readonly projectId: string;
  /** When the relay accepted it, in milliseconds since the epoch. */
  readonly receivedAt: number;
  readonly context: IngestContext;
  /** The uncompressed envelope bytes, exactly as accepted. */
  readonly payload: Uint8Array;
}

/** A spooled envelope handed to one consumer until it acknowledges or retries it. */
export interface ClaimedEnvelope extends SpooledEnvelope {
  /** Opaque handle for {@link Spool.ack} and {@link Spool.retry}. */
  readonly handle: number;
  /** How many times delivery was tried before this claim. */
  readonly attempts: number;
}

/** Point-in-time size of a spool. */
export interface SpoolStats {
  /** Envelopes stored, claimed or not. */
  readonly depth: number;
  /** Payload bytes stored. */
  readonly bytes: number;
  /** Envelopes currently claimed by a consumer. */
  readonly claimed: number;
}

/**
 * Durable storage for accepted envelopes. An envelope leaves the spool only when a consumer
 * acknowledges it; a claim that is neither acknowledged nor retried comes back after a restart.
 */
export interface Spool {
  /** Stores an envelope; resolves once it is durable. Rejects with {@link SpoolFullError}. */
  enqueue(envelope: SpooledEnvelope): Promise<void>;
  /** Claims up to `max` envelopes that are due, oldest first. */
  claim(max: number): Promise<ClaimedEnvelope[]>;
  /** Removes delivered (or finally rejected) envelopes. */
  ack(handles: readonly number[]): Promise<void>;
  /** Returns claimed envelopes to the spool, due again after `delayMs`. */
  retry(handles: readonly number[], delayMs: number): Promise<void>;
  /** Current size. */
  stats(): SpoolStats;
  /** Writes what is pending and releases the storage. */
  close(): Promise<void>;
  /** Whether the spool can store right now (a remote spool reachable); absent means always. */
  available?(): boolean;
}

/** The spool has reached its configured size: the relay answers 503 instead of growing. */
export class SpoolFullError extends Error {
  readonly code = "spool_full";

  constructor(message: string) {
    super(message);
    this.name = "SpoolFullError";
  }
}
