/** Stable codes of the relay command's failures; each maps to an exit code in `main`. */
export type RelayCliErrorCode =
  | "config_invalid"
  | "config_unreadable"
  | "config_exists"
  | "credentials_invalid"
  | "credentials_missing"
  | "usage"
  | "startup_failed";

/** A failure the command line reports to the operator as one clear message. */
export class RelayCliError extends Error {
  readonly code: RelayCliErrorCode;

  constructor(code: RelayCliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RelayCliError";
    this.code = code;
  }
}
