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
  /** The configuration key at fault (`relay.tls_cert_path`), when the message is about one. */
  readonly key: string | undefined;

  constructor(code: RelayCliErrorCode, message: string, options?: { cause?: unknown; key?: string }) {
    super(message, options);
    this.name = "RelayCliError";
    this.code = code;
    this.key = options?.key;
  }
}
