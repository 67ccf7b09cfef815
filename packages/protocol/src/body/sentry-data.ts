import type { Result } from "../result.js";
import { err } from "../result.js";
import { BodyError } from "./body-error.js";
import { unwrapStoreBody } from "./store-body.js";

/**
 * Reads the event of `GET /api/{id}/store/?sentry_data=…` (old browser SDKs, answered with a
 * 1×1 GIF): the parameter holds JSON or base64 (of JSON, or of zlib-compressed JSON), as a store
 * body does. Takes the query string (with or without `?`) or its parsed parameters; returns the
 * JSON bytes, unparsed.
 */
export function readSentryData(query: string | URLSearchParams, maxSize: number): Result<Uint8Array, BodyError> {
  const params = typeof query === "string" ? new URLSearchParams(query.startsWith("?") ? query.slice(1) : query) : query;
  const data = params.get("sentry_data");
  if (data === null) return err(new BodyError("missing_sentry_data", "the query string has no sentry_data parameter"));
  // A `+` that was not percent-encoded reads back as a space; base64 has no spaces to lose.
  const text = data.trimStart().startsWith("{") ? data : data.replaceAll(" ", "+");
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > maxSize) return err(new BodyError("too_large", `sentry_data is larger than ${maxSize} bytes`));
  return unwrapStoreBody(bytes, maxSize);
}
