/** Stable codes of every failure this package reports. */
export type IdentityErrorCode =
  | "invalid_encoding"
  | "wrong_length"
  | "key_mismatch"
  | "bad_signature"
  | "signature_expired"
  | "signature_in_future"
  | "body_mismatch"
  | "insecure_permissions"
  | "invalid_credentials"
  | "file_exists"
  | "file_missing";

/** A key, signature or credentials file that could not be used, with what was wrong. */
export class IdentityError extends Error {
  /** Stable machine-readable identifier. */
  readonly code: IdentityErrorCode;

  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IdentityError";
    this.code = code;
  }
}
