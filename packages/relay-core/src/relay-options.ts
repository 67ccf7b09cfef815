/** How the relay learns about projects and where accepted data goes. */
export type RelayMode = "managed" | "static" | "proxy" | "capture";

/** Size limits, in bytes (counts where named). */
export interface RelayLimits {
  /** A single event (store body or event item), after decompression. */
  readonly maxEventSize: number;
  /** A whole envelope request, after decompression; the compressed body is held to it too. */
  readonly maxEnvelopeSize: number;
  /** A single attachment item or upload. */
  readonly maxAttachmentSize: number;
  /** Session updates in one envelope. */
  readonly maxSessionsPerEnvelope: number;
  /** A security report or a store body request. */
  readonly maxApiPayloadSize: number;
}

/** Options of the HTTP app, resolved from the relay's configuration. */
export interface RelayOptions {
  readonly mode: RelayMode;
  readonly limits: RelayLimits;
  /** Addresses of proxies whose `X-Forwarded-For` is trusted, or `true` for any. */
  readonly trustProxy?: boolean | string | readonly string[] | undefined;
  /** Request body bytes held in memory by all requests together; beyond it requests get 503 (default 256 MiB). */
  readonly maxBufferedBodyBytes?: number | undefined;
  /** A request whose headers and body take longer than this is answered 408. */
  readonly requestTimeoutMs?: number | undefined;
  /** Path of an extra envelope endpoint for SDKs configured with `tunnel` (authentication from the envelope's `dsn`). */
  readonly tunnelPath?: string | undefined;
}

/** Sentry Relay's default limits. */
export const DEFAULT_LIMITS: RelayLimits = {
  maxEventSize: 1024 * 1024,
  maxEnvelopeSize: 100 * 1024 * 1024,
  maxAttachmentSize: 100 * 1024 * 1024,
  maxSessionsPerEnvelope: 100,
  maxApiPayloadSize: 20 * 1024 * 1024,
};
