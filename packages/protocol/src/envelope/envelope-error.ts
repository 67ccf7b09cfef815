import { ProtocolError } from "../protocol-error.js";

/** Why an envelope could not be read. */
export type EnvelopeErrorCode =
  | "empty"
  | "invalid_header"
  | "invalid_event_id"
  | "invalid_dsn"
  | "invalid_sent_at"
  | "invalid_item_header"
  | "missing_item_type"
  | "invalid_length"
  | "length_mismatch"
  | "duplicate_event_item"
  | "no_items"
  | "too_large";

/**
 * An envelope that breaks the grammar or the protocol's rules, saying what and where (item index
 * and byte offset). `too_large` maps to HTTP 413, every other code to 400.
 */
export class EnvelopeError extends ProtocolError<EnvelopeErrorCode> {
  /** The HTTP status a server answers this error with. */
  get status(): 400 | 413 {
    return this.code === "too_large" ? 413 : 400;
  }
}
