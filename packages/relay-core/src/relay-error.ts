/** Stable codes of every failure the relay reports to a client. */
export type RelayErrorCode =
  | "bad_request"
  | "invalid_project_id"
  | "bad_auth"
  | "missing_auth"
  | "multiple_auth"
  | "relay_auth"
  | "invalid_body"
  | "invalid_envelope"
  | "invalid_event"
  | "project_disabled"
  | "key_disabled"
  | "unknown_key"
  | "origin_not_allowed"
  | "too_large"
  | "unsupported_media_type"
  | "request_timeout"
  | "rate_limited"
  | "spool_full"
  | "spool_unavailable"
  | "overloaded"
  | "shutting_down"
  | "not_found"
  | "method_not_allowed"
  | "upstream_unreachable"
  | "upstream_timeout";

const STATUS: Readonly<Record<RelayErrorCode, number>> = {
  bad_request: 400,
  invalid_project_id: 400,
  bad_auth: 400,
  missing_auth: 401,
  multiple_auth: 401,
  relay_auth: 401,
  invalid_body: 400,
  invalid_envelope: 400,
  invalid_event: 400,
  project_disabled: 403,
  key_disabled: 403,
  unknown_key: 403,
  origin_not_allowed: 403,
  too_large: 413,
  unsupported_media_type: 415,
  request_timeout: 408,
  rate_limited: 429,
  spool_full: 503,
  spool_unavailable: 503,
  overloaded: 503,
  shutting_down: 503,
  not_found: 404,
  method_not_allowed: 405,
  upstream_unreachable: 502,
  upstream_timeout: 504,
};

/**
 * A request the relay refuses. The HTTP error handler turns it into its status and a
 * `{"detail","causes"}` body; `causes` lists the underlying reasons, outermost first.
 */
export class RelayError extends Error {
  /** Stable machine-readable identifier. */
  readonly code: RelayErrorCode;
  /** HTTP status the code maps to. */
  readonly status: number;
  /** Further reasons, shown to the client as `causes`. */
  readonly causes: readonly string[];
  /** Extra response headers, such as `Retry-After` for rate limits. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: RelayErrorCode,
    detail: string,
    options: { causes?: readonly string[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "RelayError";
    this.code = code;
    this.status = STATUS[code];
    this.causes = options.causes ?? [];
    this.headers = options.headers ?? {};
  }

  /** The response body Sentry clients expect. */
  toBody(): { detail: string; causes: readonly string[] } {
    return { detail: this.message, causes: this.causes };
  }
}
