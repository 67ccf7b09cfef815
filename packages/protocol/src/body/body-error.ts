import { ProtocolError } from "../protocol-error.js";

/** Why a request body could not be decoded. */
export type BodyErrorCode =
  | "empty"
  | "unsupported_encoding"
  | "decompression_failed"
  | "too_large"
  | "invalid_base64"
  | "invalid_json"
  | "not_an_object"
  | "missing_sentry_data"
  | "invalid_size";

/** A body that could not be decoded; `too_large` maps to HTTP 413, every other code to 400. */
export class BodyError extends ProtocolError<BodyErrorCode> {
  /** The HTTP status a server answers this error with. */
  get status(): 400 | 413 {
    return this.code === "too_large" ? 413 : 400;
  }
}
