/**
 * Base class of every error this package reports. `code` is stable and meant for programs
 * (an HTTP status mapping, a metric tag); `message` is meant for people.
 */
export class ProtocolError<Code extends string = string> extends Error {
  /** Stable machine-readable identifier of the failure. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
