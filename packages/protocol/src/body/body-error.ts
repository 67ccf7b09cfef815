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
  | "invalid_size";

/** A body that could not be decoded; `too_large` maps to 413, the others to 400. */
export class BodyError extends ProtocolError<BodyErrorCode> {}
