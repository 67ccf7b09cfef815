/** Stable codes of the failures of this package. */
export type MessagingErrorCode =
  | "malformed_message"
  | "invalid_field"
  | "config_invalid"
  | "config_insecure"
  | "no_sender_identity"
  | "no_known_receivers"
  | "timeout"
  | "connection_failed"
  /** A JetStream stream or bucket refused or could not be reached. */
  | "jetstream_failed"
  /** A semaphore slot was not had before the deadline. */
  | "semaphore_timeout";

/** A message, a config or an operation that failed, with what was wrong. */
export class MessagingError extends Error {
  /** Stable machine-readable identifier. */
  readonly code: MessagingErrorCode;

  constructor(code: MessagingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MessagingError";
    this.code = code;
  }
}
